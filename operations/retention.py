"""Retention and erasure: personal data is kept only as long as it is needed.

Messages past `MESSAGING_RETENTION_DAYS` keep their status, dates and ids (the delivery
statistics) but lose their recipient address and any history text that could hold personal
data, and their events' data is cut to what the books need (`bookkeeping.bookkeeping_data`);
the dev inbox keeps its `DEV_INBOX_KEEP` newest emails; expired sessions are deleted
hourly (a checkout left half-way holds a name and an address). `erase_customer` does the same
at once for one person, across the project's own records (a shop's customers and orders,
reached through `RETENTION_RECORDS`, operations/records.py), django-axes' login records and the
stored sessions too. What the books keep goes once its bookkeeping period is over (through
the `BOOKKEEPING_YEARS`th calendar year after the one its financial year ended in:
docs/operators/bookkeeping.md).

Both walk primary keys in chunks, one short transaction per chunk, so memory stays flat and
workers are never blocked for long. The history is append-only for the delivery engine;
erasure is the one deliberate exception, done with queryset updates.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from messaging.models import Event, Message, MessageEvent
from messaging.models.events import ERASED_ADDRESS
from stafftemplates.models import EventType

from .bookkeeping import bookkeeping_cutoff, bookkeeping_data
from .records import find_records, purge_records

# What erasure writes in place of a personal text (the shop's models write the same).
ERASED_TEXT = "[erased]"

logger = logging.getLogger(__name__)


def captured_emails() -> QuerySet | None:
    """The dev inbox's captured emails, or None where the optional `inbox` app is left out."""
    if not apps.is_installed("inbox"):
        return None
    return apps.get_model("inbox", "CapturedEmail").objects.all()


__all__ = ["ERASED_ADDRESS", "ERASED_TEXT", "erase_customer", "purge_messages"]

CHUNK = 1000
# History lines whose detail the engine writes itself from fixed text and numbers: kept. Every
# other kind may quote an ESP's answer, an operator's note or a file name made from a template,
# any of which can hold an address or a name.
SAFE_EVENT_KINDS = (
    MessageEvent.Kind.CLAIMED,
    MessageEvent.Kind.RENDERED,
    MessageEvent.Kind.SENT,
    MessageEvent.Kind.CLAIM_EXPIRED,
    MessageEvent.Kind.RELAYED,
)
# Tracking events without an ESP event id are keyed by a digest that includes the recipient.
DIGEST_KEY = ":sha256:"

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class PurgeReport:
    messages: int  # messages anonymised (or that would be)
    captured_emails: int  # dev-inbox emails deleted (or that would be)
    # Past their bookkeeping period: events (with their messages) and the project's receipts
    # deleted (or that would be).
    events: int = 0
    receipts: int = 0


@dataclass(frozen=True)
class ErasureReport:
    customers: int
    orders: int
    messages: int
    cancelled: int  # queued messages failed, so nothing goes to the erased address
    captured_emails: int
    log_entries: int
    sessions: int  # browser sessions holding the address (a checkout) or their orders, deleted
    login_attempts: int  # admin login attempts typed with the address (django-axes)


class ErasureRefused(Exception):
    """A message to this person is being sent right now: erase after it finished."""


def _quiet(label: str, done: int, total: int) -> None:
    """The default progress callback: reports nothing."""


def pk_chunks(queryset: QuerySet, *, size: int | None = None) -> Iterator[list[int]]:
    """The queryset's primary keys in ascending chunks, one bounded query each (keyset paging:
    no OFFSET, no list of every id in memory)."""
    size = size or CHUNK
    last = 0
    while True:
        chunk = list(
            queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size]
        )
        if not chunk:
            return
        yield chunk
        last = chunk[-1]


def anonymise_events(event_ids: list[int]) -> None:
    """Erase the recipient of these events and cut their data to what the books need (the
    values their type's schema marks `x-bookkeeping`: operations/bookkeeping.py); their
    status, dates and the sender's reference stay (the delivery statistics and the books). A
    resend of one has no one left to send to.

    Each keeps its own data, encrypted again: one update per event, each type's schema read
    once."""
    events = list(Event.objects.filter(pk__in=event_ids).values_list("pk", "type_id", "data"))
    types = {type_id for _pk, type_id, _data in events}
    schemas = dict(EventType.objects.filter(code__in=types).values_list("code", "schema"))
    for pk, type_id, data in events:
        Event.objects.filter(pk=pk).update(
            recipient=ERASED_ADDRESS,
            recipient_name="",
            data=bookkeeping_data(schemas.get(type_id), data),
        )
    # The latest message's error, copied: an ESP's text can quote the address.
    Event.objects.filter(pk__in=event_ids, status_reason__contains="@").update(
        status_reason=ERASED_TEXT
    )


def anonymise_messages(message_ids: list[int]) -> None:
    """Erase the recipient, the error text and history details of these messages, and their
    events' recipient and data."""
    event_ids = (
        Message.objects.filter(pk__in=message_ids, event__isnull=False)
        .exclude(event__recipient=ERASED_ADDRESS)
        .values_list("event_id", flat=True)
        .distinct()
    )
    anonymise_events(list(event_ids))
    Message.objects.filter(pk__in=message_ids).update(recipient=ERASED_ADDRESS)
    # An ESP's error text can quote the address ("Invalid 'To' address: ..."): only those go.
    Message.objects.filter(pk__in=message_ids, last_error__contains="@").update(
        last_error=ERASED_TEXT
    )
    events = MessageEvent.objects.filter(message_id__in=message_ids)
    events.exclude(kind__in=SAFE_EVENT_KINDS).exclude(detail="").update(detail=ERASED_TEXT)
    events.filter(esp_event_id__contains=DIGEST_KEY).update(esp_event_id=None)


# --- retention ------------------------------------------------------------------------------


def purge_messages(
    *,
    older_than_days: int | None = None,
    dry_run: bool = False,
    progress: Progress = _quiet,
    now: datetime | None = None,
) -> PurgeReport:
    """Anonymise finished messages created more than `older_than_days` ago (default
    `MESSAGING_RETENTION_DAYS`) and delete dev-inbox emails beyond the `DEV_INBOX_KEEP` newest.

    Queued and sending messages are left alone: they still need their address.
    """
    days = settings.MESSAGING_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    expired = Message.objects.filter(created_at__lt=cutoff).exclude(
        status__in=[Message.Status.QUEUED, Message.Status.SENDING]
    )
    # Already anonymised rows are skipped, so a run cut short continues where it stopped.
    expired = expired.exclude(recipient=ERASED_ADDRESS)
    total = expired.count()
    done = 0
    if not dry_run:
        for chunk in pk_chunks(expired):
            with transaction.atomic():
                anonymise_messages(chunk)
            done += len(chunk)
            progress("messages", done, total)
    captured = _trim_dev_inbox(dry_run=dry_run, progress=progress)
    before = bookkeeping_cutoff(now)
    events = _delete_past_bookkeeping(before, dry_run=dry_run, progress=progress)
    receipts = purge_records(before, dry_run=dry_run)
    report = PurgeReport(
        messages=total if dry_run else done,
        captured_emails=captured,
        events=events,
        receipts=receipts,
    )
    if not dry_run:
        logger.info(
            "Retention: %s messages anonymised, %s captured emails deleted, %s events and %s "
            "receipts past their bookkeeping period deleted.",
            report.messages,
            report.captured_emails,
            report.events,
            report.receipts,
        )
    return report


def _delete_past_bookkeeping(before: datetime, *, dry_run: bool, progress: Progress) -> int:
    """Delete the events created before `before` that erasure or retention already cut to
    their accounting data, with their messages and history: their bookkeeping period is over.
    An event still waiting to be sent keeps its recipient, so it is never among them."""
    past = Event.objects.filter(created_at__lt=before, recipient=ERASED_ADDRESS).exclude(
        messages__status__in=[Message.Status.QUEUED, Message.Status.SENDING]
    )
    total = past.count()
    if dry_run or not total:
        return total
    done = 0
    for chunk in pk_chunks(past):
        with transaction.atomic():
            # A resend of a message of another event points at it: that link goes (SET_NULL).
            Message.objects.filter(event_id__in=chunk).delete()  # history cascades
            Event.objects.filter(pk__in=chunk).delete()
        done += len(chunk)
        progress("events past their bookkeeping period", done, total)
    return done


def _trim_dev_inbox(*, dry_run: bool, progress: Progress) -> int:
    captured = captured_emails()
    if captured is None:
        return 0
    keep = list(
        captured.order_by("-created_at", "-id").values_list("pk", flat=True)[
            : settings.DEV_INBOX_KEEP
        ]
    )
    beyond = captured.exclude(pk__in=keep)
    total = beyond.count()
    if dry_run or not total:
        return total
    done = 0
    for chunk in pk_chunks(beyond):
        with transaction.atomic():
            captured.filter(pk__in=chunk).delete()  # attachments cascade
        done += len(chunk)
        progress("captured emails", done, total)
    return done


# --- erasure --------------------------------------------------------------------------------


def erase_customer(*, email: str) -> ErasureReport:
    """Anonymise everything held about the person at `email`: the project's records of them
    (`RETENTION_RECORDS`: a shop's customer rows and orders' name, address, phone, typed
    options, keeping each receipt's accounting fields), their messages and history, their
    events' data but for its accounting part, captured mail and admin log lines naming them.
    Queued messages to them are failed first, so nothing is sent to the erased address.
    Refused while one of their messages is being sent.
    """
    address = email.strip()
    with transaction.atomic():
        records = find_records(address)
        # Their events: sent to the address, or about their records (by the reference the
        # project's own events carry, e.g. the order number).
        events = Event.objects.filter(
            Q(recipient__iexact=address) | Q(client=None, reference__in=records.references)
        )
        event_ids = list(events.values_list("pk", flat=True))
        theirs = Message.objects.filter(
            Q(event_id__in=event_ids) | Q(pk__in=Message.objects.to_recipient(address).values("pk"))
        )
        message_ids = list(theirs.select_for_update().values_list("pk", flat=True))
        # Again, in a new statement: a resend committed while we waited for its original's lock
        # is invisible to the first one. Every message of their orders is locked now, so no
        # resend can be written until this erasure commits (and then it is refused).
        message_ids = list(theirs.select_for_update().values_list("pk", flat=True))
        sending = list(
            Message.objects.filter(pk__in=message_ids, status=Message.Status.SENDING).values_list(
                "pk", flat=True
            )
        )
        if sending:
            raise ErasureRefused(
                f"Message(s) {', '.join(f'#{pk}' for pk in sending)} to this person are being "
                "sent right now; erase again in a few minutes."
            )
        cancelled = _cancel_queued(message_ids)
        for chunk in _chunks(message_ids):
            anonymise_messages(chunk)
        for chunk in _chunks(event_ids):
            anonymise_events(chunk)  # ignored events have no message
        # The fields the project's models declare personal, each replaced by its declared value.
        records.erase()
        captured = _delete_captured(address, message_ids)
        log_entries = _erase_admin_log(address, records.admin_objects)
        login_attempts = _erase_login_attempts(address)
    # Outside the transaction, a chunk at a time: every session has to be decoded to be read.
    sessions = delete_sessions_of(address=address, values=records.session_values)
    report = ErasureReport(
        customers=records.customers,
        orders=records.orders,
        messages=len(message_ids),
        cancelled=cancelled,
        captured_emails=captured,
        log_entries=log_entries,
        sessions=sessions,
        login_attempts=login_attempts,
    )
    # Counts only: the address itself never reaches a log.
    logger.info("Erasure: %s", report)
    return report


def _chunks(values: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _cancel_queued(message_ids: list[int]) -> int:
    queued = Message.objects.filter(pk__in=message_ids, status=Message.Status.QUEUED)
    count = 0
    for message in queued:
        message.mark_failed(reason=Message.RECIPIENT_ERASED)
        count += 1
    return count


def _delete_captured(address: str, message_ids: list[int]) -> int:
    """Dev-inbox emails to or about the person: by address anywhere, or by our message id."""
    matching = Q()
    for field in ("to", "cc", "bcc", "reply_to", "subject", "text_body", "html_body"):
        matching |= Q(**{f"{field}__icontains": address})
    if message_ids:
        matching |= Q(metadata__message_id__in=[str(pk) for pk in message_ids])
    captured = captured_emails()
    if captured is None:
        return 0
    deleted = 0
    for chunk in pk_chunks(captured.filter(matching)):
        captured.filter(pk__in=chunk).delete()
        deleted += len(chunk)
    return deleted


def _erase_admin_log(address: str, objects: list[tuple[type[Model], list]]) -> int:
    """Admin history lines about these objects (the person's records), or quoting the
    address: keep the line (who did what, when), drop the name and address it shows."""
    about = Q(object_repr__icontains=address) | Q(change_message__icontains=address)
    for model, pks in objects:
        about |= Q(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=[str(pk) for pk in pks],
        )
    lines = LogEntry.objects.filter(about)
    return lines.update(object_repr=ERASED_TEXT, change_message="")


def _erase_login_attempts(address: str) -> int:
    """django-axes' records of admin logins typed with the address (a customer trying their
    shop address at the admin login): the lockout counters and failure log go; a login log line
    keeps its time and IP but loses the name."""
    if not apps.is_installed("axes"):
        return 0
    typed = Q(username__iexact=address)
    attempts = apps.get_model("axes", "AccessAttempt").objects.filter(
        typed | Q(post_data__icontains=address) | Q(get_data__icontains=address)
    )
    failures = apps.get_model("axes", "AccessFailureLog").objects.filter(typed)
    count = attempts.count() + failures.count()
    attempts.delete()
    failures.delete()
    count += apps.get_model("axes", "AccessLog").objects.filter(typed).update(username=ERASED_TEXT)
    return count


# --- sessions -------------------------------------------------------------------------------


def delete_sessions_of(*, address: str, values: dict[str, set] | None = None) -> int:
    """Delete every stored session whose data names `address` (any letter case: a checkout
    left half-way, a cart) or holds, under one of `values`' keys, one of its values (the
    project's records hook says which: the orders placed in that browser). Session data is
    signed and base64-encoded, so each is decoded here, a chunk at a time: a search of the
    table or of a dump would miss it. With a session engine that keeps no table (signed
    cookies, cache only) nothing is stored to search, and nothing is done."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        return 0
    model = store_class.get_model_class()
    wanted, values = address.casefold(), values or {}
    store = store_class()
    deleted, last = 0, ""
    while True:
        chunk = list(
            model.objects.filter(session_key__gt=last)
            .order_by("session_key")
            .values_list("session_key", "session_data")[:CHUNK]
        )
        if not chunk:
            return deleted
        last = chunk[-1][0]
        doomed = []
        for key, data in chunk:
            decoded = store.decode(data)
            text = json.dumps(decoded, ensure_ascii=False, default=str).casefold()
            if wanted in text or any(
                _holds(decoded.get(name), theirs) for name, theirs in values.items()
            ):
                doomed.append(key)
        for key in doomed:
            # Through the engine: `cached_db` drops its cached copy too.
            store_class(session_key=key).delete()
            deleted += 1


def _holds(stored, theirs: set) -> bool:
    """Whether a session's value (one value, or a list of them) is one of `theirs`."""
    if isinstance(stored, list):
        return any(item in theirs for item in stored if isinstance(item, str | int))
    return isinstance(stored, str | int) and stored in theirs


def clear_expired_sessions() -> None:
    """Delete expired sessions (Django's `clearsessions`; beat runs it hourly): a checkout
    left half-way keeps the customer's details only until its session expires."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
