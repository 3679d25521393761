"""Delivery workflows: queue a message with its order, deliver it, relay what got stuck, track it.

The rules this module keeps (DESIGN.md, "The flow of one order"):
- the outbox row is written in the caller's transaction; the Celery publish happens on commit
  and can never fail or hang the checkout;
- a worker claims a row in a short transaction and commits before any rendering or network I/O;
- every outcome is one short locked write plus a `MessageEvent`;
- only ids and error classes reach the logs: no addresses, no Anymail exception text (it carries
  the payload, attachment included).
"""

from __future__ import annotations

import gc
import hashlib
import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from anymail.signals import AnymailTrackingEvent, EventType
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from attachments.documents import build_attachment, document_password
from shop.documents import order_context, sample_order_context
from shop.models import Order

from .models import Message, MessageAttachment, MessageEvent, MessageTemplate
from .outcomes import Accepted, Failure, classify_failure, describe_exception, read_acceptance
from .rendering import MessageTemplateError, render_message
from .signals import relay_finished

logger = logging.getLogger(__name__)

# The document password of a proof rendered from the sample order: stable, and obviously fake.
SAMPLE_ORDER_TOKEN = "sample-order-token"  # noqa: S105 - not a secret, a preview fixture


@dataclass(frozen=True)
class RelayReport:
    released: int  # sending rows whose claim expired, put back in the queue
    published: int  # queued rows (due, apparently lost in transit) published again


# --- queueing -------------------------------------------------------------------------------


def queue_message(
    *,
    order: Order,
    event: str,
    recipient: str | None = None,
    resend_of: Message | None = None,
    note: str = "",
) -> Message:
    """Write the outbox row for `event` about `order` and enqueue its delivery on commit.

    Call it inside the order's transaction (the `order_completed` receiver does): the row
    commits with the order or not at all. The first message of an (order, event) is idempotent;
    a resend (`resend_of`) takes the next sequence number. The template and attachment
    revisions are pinned now, so every retry renders the same thing.
    """
    with transaction.atomic():
        if resend_of is None:
            existing = Message.objects.filter(
                order=order, event=event, is_proof=False, sequence=0
            ).first()
            if existing is not None:
                return existing
            sequence = 0
        else:
            last = (
                Message.objects.filter(order=order, event=event, is_proof=False)
                .order_by("-sequence")
                .values_list("sequence", flat=True)
                .first()
            )
            sequence = 0 if last is None else last + 1
        template = MessageTemplate.objects.active().filter(event=event).first()
        revision = template.current_revision() if template else None
        message = Message.objects.create(
            event=event,
            order=order,
            recipient=recipient or order.customer.email,
            template_revision=revision,
            layout_revision=_layout_revision(template),
            sequence=sequence,
            resend_of=resend_of,
        )
        if template is not None:
            _pin_attachments(message=message, template=template)
        message.record(MessageEvent.Kind.QUEUED, detail=note)
        if resend_of is None and _over_daily_limit(message):
            # Kept, not dropped: staff see why, and can resend it by hand.
            message.mark_failed(
                reason="Not sent: this address already received "
                f"{settings.MESSAGING_RECIPIENT_DAILY_LIMIT} emails in the last 24 hours "
                "(MESSAGING_RECIPIENT_DAILY_LIMIT). Resend it from admin if it is genuine."
            )
            logger.warning("Message %s not sent: recipient over the daily limit.", message.pk)
            return message
        transaction.on_commit(partial(publish_delivery, message_id=message.pk))
    return message


def _over_daily_limit(message: Message) -> bool:
    """Whether the message's recipient already had the day's share of customer emails: one
    address ordering again and again (or a stranger's address typed at checkout, hundreds of
    times) must not turn the shop into a mail cannon. Staff resends and proofs do not count."""
    limit = settings.MESSAGING_RECIPIENT_DAILY_LIMIT
    if not limit:
        return False
    earlier = Message.objects.to_recipient(message.recipient).filter(
        is_proof=False,
        created_at__gte=timezone.now() - timedelta(days=1),
    )
    return earlier.exclude(pk=message.pk).count() >= limit


def queue_proof(
    *, template: MessageTemplate, recipient: str, order: Order | None = None, requested_by: str
) -> Message:
    """Queue a proof of `template` (as saved now) to a staff address, from `order` or the sample.

    Delivered by the same engine as customers' messages, and marked `is_proof`: it takes none
    of the order's sequence numbers (the uniqueness constraint, `queue_message` and resends all
    ignore proofs), so the customer's own message and its resends are left alone. A proof
    without an order renders the sample context, its PDF encrypted with the sample password.
    """
    with transaction.atomic(durable=True):
        message = Message.objects.create(
            event=template.event,
            order=order,
            recipient=recipient,
            template_revision=template.current_revision(),
            layout_revision=_layout_revision(template),
            is_proof=True,
        )
        _pin_attachments(message=message, template=template)
        source = f"order {order.number}" if order else "the sample order"
        message.record(
            MessageEvent.Kind.QUEUED, detail=f"Proof from {source}, requested by {requested_by}."
        )
        transaction.on_commit(partial(publish_delivery, message_id=message.pk))
    return message


def _layout_revision(template: MessageTemplate | None):
    layout = template.applied_layout() if template else None
    return layout.current_revision() if layout else None


def _pin_attachments(*, message: Message, template: MessageTemplate) -> None:
    revisions = [
        link.attachment_template.current_revision()
        for link in template.attachment_links.select_related("attachment_template")
        if link.attachment_template.active
    ]
    MessageAttachment.objects.bulk_create(
        MessageAttachment(message=message, attachment_revision=revision, position=position)
        for position, revision in enumerate(r for r in revisions if r is not None)
    )


def publish_delivery(*, message_id: int, countdown: float | None = None) -> bool:
    """Hand a message id to Celery; never raises.

    It runs after the order committed: an exception here would turn a paid order into an error
    page. A broker that is down only delays the email: the row stays queued and the relay
    publishes it again. The publish itself is bounded by the broker settings (connect and
    socket timeouts, a short publish retry policy).
    """
    from .tasks import deliver_message  # the tasks module imports this one

    try:
        deliver_message.apply_async((message_id,), countdown=countdown)
    except Exception as exc:
        logger.warning(
            "Could not enqueue message %s (%s); the relay will retry.",
            message_id,
            type(exc).__name__,
        )
        return False
    return True


def resend_message(*, message_id: int, reason: str, by: str, force: bool = False) -> Message | None:
    """Queue a new message for the same order and event as `message_id` (`resend_of` set).

    The new row takes the next sequence number and is delivered by the same engine, with the
    same document password (it derives from the order). Returns None, changing nothing, when:
    - the message was already replaced by a later one: two operators (or an operator and staff
      in admin) racing on the same message produce exactly one resend, because the original
      row is locked and re-checked before writing;
    - the message is itself a resend younger than `MESSAGING_RESEND_COOLDOWN_SECONDS` that has
      not failed or bounced, unless `force`: two overlapping runs of the resend command, or a
      double click on a resend's own page, would otherwise resend the resend.
    """
    with transaction.atomic():
        original = Message.objects.select_for_update().filter(pk=message_id, is_proof=False).first()
        if original is None or original.order_id is None:
            return None
        if not Message.objects.latest_per_order().filter(pk=original.pk).exists():
            return None
        if not force and original.is_recent_resend(now=timezone.now()):
            return None
        note = f"Resend of message #{original.pk} by {by}" + (f": {reason}" if reason else ".")
        try:
            with transaction.atomic():
                resend = queue_message(
                    order=original.order, event=original.event, resend_of=original, note=note
                )
        except IntegrityError:
            return None  # the same sequence number was taken at the same moment
        original.record(MessageEvent.Kind.NOTE, detail=f"Resent as message #{resend.pk}.")
    return resend


# --- delivering -----------------------------------------------------------------------------


def deliver_message(*, message_id: int) -> Message | None:
    """Claim, render, build attachments, send, and record the outcome of one attempt.

    Returns the message as recorded, or None when there was nothing to do (another worker holds
    it, it is not due yet, or it is already finished): tasks can be delivered twice, the claim
    makes that harmless.
    """
    claimed = _claim(message_id=message_id)
    if claimed is None:
        return None
    message, started = claimed
    attempt = message.attempts
    phase = "compose"
    history: list[MessageEvent] = [started]
    esp_name = ""
    try:
        email = compose_email(message=message, history=history)
        phase = "send"
        connection = get_connection()
        esp_name = getattr(connection, "esp_name", None) or type(connection).__name__
        email.connection = connection
        email.send()
    except Exception as exc:
        outcome = classify_failure(exc, sending=phase == "send")
        logger.warning(
            "Message %s attempt %s failed: %s", message_id, attempt, describe_exception(exc)
        )
    else:
        outcome = read_acceptance(email, recipient=message.recipient)
        if isinstance(outcome, Failure):
            logger.warning("Message %s attempt %s refused by the ESP.", message_id, attempt)
    if isinstance(outcome, Accepted):
        return _write_outcome(
            partial(
                _record_sent, message=message, accepted=outcome, esp_name=esp_name, history=history
            ),
            message_id=message_id,
            attempt=attempt,
            esp_message_id=outcome.esp_message_id or "unknown",
        )
    return _write_outcome(
        partial(
            _record_failure,
            message_id=message_id,
            attempt=attempt,
            failure=outcome,
            history=history,
        ),
        message_id=message_id,
        attempt=attempt,
    )


def _write_outcome(write, *, message_id: int, attempt: int, esp_message_id: str = ""):
    """Run an outcome write, reconnecting and trying again while the database is unreachable.

    The worker's connection sat idle while the ESP answered; a failover, a pooler restart or an
    administrator may have dropped it meanwhile. Losing the write would leave the row `sending`
    until its claim expires and the relay sends it again: a duplicate, and the first ESP id
    lost. The writes are conditional on the attempt (a repeat after a commit whose answer was
    lost changes nothing), so trying again is safe. If the database stays away for longer than
    `MESSAGING_OUTCOME_WRITE_SECONDS`, the ids are logged for an operator to reconcile.
    """
    deadline = time.monotonic() + settings.MESSAGING_OUTCOME_WRITE_SECONDS
    pause = 0.25
    while True:
        try:
            return write()
        except (OperationalError, InterfaceError) as exc:
            if not _drop_connection():
                raise  # a caller's transaction: not ours to reconnect
            if time.monotonic() + pause > deadline:
                logger.error(
                    "Message %s attempt %s: could not record the outcome (%s); the ESP message "
                    "id is %s. Check the ESP before resending: the relay will try it again.",
                    message_id,
                    attempt,
                    type(exc).__name__,
                    esp_message_id or "none (not sent)",
                )
                raise
            logger.warning(
                "Message %s: database unavailable while recording the outcome (%s); retrying.",
                message_id,
                type(exc).__name__,
            )
            time.sleep(pause)
            pause = min(pause * 2, 4.0)


def _claim(*, message_id: int) -> tuple[Message, MessageEvent] | None:
    """The message, now `sending` and ours, with its unsaved "attempt started" line."""
    now = timezone.now()
    # A task can arrive a little early (clocks, eager mode): that is what the relay is for.
    due_by = now + timedelta(seconds=1)
    with transaction.atomic():
        claimed = list(
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            # Everything the attempt reads, in this one query.
            .select_related("template_revision", "layout_revision", "order__customer")
            .filter(pk=message_id, status=Message.Status.QUEUED, next_attempt_at__lte=due_by)
            # One row by primary key: no ORDER BY (`.first()` would compile Meta.ordering's
            # two columns into every claim, ~0.3 ms of ORM work per message).
            .order_by()[:1]
        )
        if not claimed:
            return None
        message = claimed[0]
        if message.attempts >= settings.MESSAGING_MAX_ATTEMPTS:
            message.mark_failed(reason=message.last_error or "No attempts left.")
            return None
        started = message.claim(now=now, claim_seconds=settings.MESSAGING_CLAIM_SECONDS)
    return message, started


def message_context(message: Message) -> dict[str, Any]:
    """The flat context a message renders against: its order's, or the sample for proofs."""
    if message.order_id is None:
        return sample_order_context()
    return order_context(message.order)


PROOF_PREFIX = "[Proof] "


def compose_email(
    *, message: Message, history: list[MessageEvent] | None = None
) -> EmailMultiAlternatives:
    """Render the message and build its attachments, in memory, outside any transaction.

    The steps are appended to `history` (unsaved) and written with the attempt's outcome: one
    commit per attempt instead of one per step. Raises `MessageTemplateError` or the attachments
    app's errors: both permanent.
    """
    history = [] if history is None else history
    revision = message.template_revision
    if revision is None:
        raise MessageTemplateError(f"No active message template for {message.event!r}.")
    context = message_context(message)
    rendered = render_message(
        subject=revision.subject,
        text=revision.text_body,
        html=revision.html_body,
        context=context,
        layout=message.layout_revision,
    )
    history.append(
        MessageEvent(
            message=message,
            kind=MessageEvent.Kind.RENDERED,
            attempt=message.attempts,
            detail=f"Template revision {revision.number}.",
        )
    )
    email = EmailMultiAlternatives(
        # Staff tell a proof from a real customer email at a glance, in any mail client.
        subject=f"{PROOF_PREFIX}{rendered.subject}" if message.is_proof else rendered.subject,
        body=rendered.text,
        from_email=revision.from_email or settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        reply_to=[revision.reply_to] if revision.reply_to else None,
    )
    if rendered.html:
        email.attach_alternative(rendered.html, "text/html")
    token = message.order.token if message.order_id else SAMPLE_ORDER_TOKEN
    for link in message.attachment_links.select_related("attachment_revision"):
        attachment_revision = link.attachment_revision
        # The revision's own policy: the password matches what was pinned at queue time.
        password = document_password(attachment_revision, context=context, token=token)
        attachment = build_attachment(attachment_revision, context, password)
        email.attach(attachment.filename, attachment.content, attachment.mimetype)
        history.append(
            MessageEvent(
                message=message,
                kind=MessageEvent.Kind.ATTACHMENT_BUILT,
                attempt=message.attempts,
                detail=attachment.filename,
                size=len(attachment.content),
            )
        )
    # Anymail reads these attributes from any EmailMessage; the id lets tracking find the row
    # even before our own write of the ESP's message id.
    email.metadata = {"message_id": str(message.pk)}
    email.tags = [message.event, "proof"] if message.is_proof else [message.event]
    return email


def _record_sent(
    *,
    message: Message,
    accepted: Accepted,
    esp_name: str,
    history: list[MessageEvent],
) -> Message:
    esp_message_id = accepted.esp_message_id
    now, attempt = timezone.now(), message.attempts
    history = _unsaved(history)
    with transaction.atomic():
        sent = message.mark_sent_if_claimed(
            esp_name=esp_name, esp_message_id=esp_message_id, now=now
        )
        if sent is None:  # tracking or the relay moved the row on: lock it and re-read
            message = Message.objects.select_for_update().get(pk=message.pk)
            if message.events.filter(kind=MessageEvent.Kind.SENT, attempt=attempt).exists():
                return message  # written already: a repeat after a commit whose answer was lost
            if _late_acceptance_decides(message, attempt=attempt):
                sent = message.mark_sent(
                    esp_name=esp_name,
                    esp_message_id=esp_message_id,
                    now=now,
                    save_event=False,
                    attempt=attempt,
                )
            else:
                # Another attempt owns the row (sending it now, or it already ended): its
                # outcome stands; ours is history (the customer may get the email twice).
                sent = MessageEvent(
                    message=message,
                    kind=MessageEvent.Kind.NOTE,
                    attempt=attempt,
                    detail="Late outcome: accepted by "
                    f"{esp_name} ({esp_message_id or 'message id unknown'}).",
                )
        notes = [
            MessageEvent(
                message=message, kind=MessageEvent.Kind.NOTE, attempt=attempt, detail=accepted.note
            )
        ]
        # The attempt's history and its outcome in one INSERT, in the outcome's transaction.
        MessageEvent.objects.bulk_create([*history, sent, *(notes if accepted.note else ())])
    logger.info("Message %s sent (attempt %s).", message.pk, attempt)
    return message


def _drop_connection() -> bool:
    """Close a broken connection so the next query opens a new one; refuses (False) inside a
    caller's transaction, whose work a new connection could not carry on."""
    if connection.in_atomic_block:
        return False
    connection.close()
    return True


def _unsaved(history: list[MessageEvent]) -> list[MessageEvent]:
    """The attempt's history lines as new rows: a write that is tried again after a rolled-back
    transaction must not reuse the ids the first try was given."""
    for event in history:
        event.pk = None
        event._state.adding = True
    return history


def _late_acceptance_decides(message: Message, *, attempt: int) -> bool:
    """Whether the ESP's acceptance of `attempt` sets the row (locked, re-read) to sent.

    Yes when the row is still this attempt's (a webhook moved it on first: the ESP's ids are
    filled in, the higher status kept) and when it is back in `queued` (the relay released an
    expired claim, or a later attempt is waiting for a retry: sent stops another copy). No when
    another attempt is sending it or ended it, nor once it is `failed`: a status never goes
    back, and the history line says the email went out after all.
    """
    if message.status == Message.Status.QUEUED:
        return True
    return message.attempts == attempt and message.status != Message.Status.FAILED


def _record_failure(
    *, message_id: int, attempt: int, failure: Failure, history: list[MessageEvent]
) -> Message:
    retry_in: float | None = None
    history = _unsaved(history)
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        if message.status != Message.Status.SENDING or message.attempts != attempt:
            if message.events.filter(attempt=attempt, kind__in=OUTCOME_KINDS).exists():
                return message  # written already: a repeat after a commit whose answer was lost
            # Our claim expired and someone else took over: keep the record, change nothing.
            MessageEvent.objects.bulk_create(history)
            message.record(
                MessageEvent.Kind.NOTE, attempt=attempt, detail=f"Late outcome: {failure.reason}"
            )
            return message
        MessageEvent.objects.bulk_create(history)
        if failure.maybe_sent:
            message.record(MessageEvent.Kind.NO_RESPONSE, attempt=attempt, detail=failure.reason)
        if failure.sender_refused:
            # Nobody's message is at fault: keep every message queued, not charged an attempt,
            # until the credentials are fixed; the messages list shows the condition.
            retry_in = sender_retry_delay()
            message.hold_for_sender(reason=failure.reason, delay=retry_in, now=timezone.now())
            logger.error(
                "The ESP refuses our credentials or the email backend is misconfigured (%s): "
                "messages stay queued and are tried again every %s s until it is fixed.",
                failure.reason,
                round(settings.MESSAGING_SENDER_RETRY_SECONDS),
            )
        elif failure.transient and attempt < settings.MESSAGING_MAX_ATTEMPTS:
            retry_in = retry_delay(attempt=attempt)
            message.schedule_retry(reason=failure.reason, delay=retry_in, now=timezone.now())
        elif failure.transient:
            message.mark_failed(reason=f"{failure.reason} Gave up after {attempt} attempts.")
        else:
            message.mark_failed(reason=failure.reason)
    if retry_in is not None:
        # Capped so a countdown never outlives the broker's visibility timeout (Redis would
        # hand it to a second worker); a longer wait is the relay's job.
        publish_delivery(
            message_id=message_id, countdown=min(retry_in, settings.MESSAGING_MAX_COUNTDOWN)
        )
    return message


# History lines that close an attempt without sending it.
OUTCOME_KINDS = (
    MessageEvent.Kind.RETRY_SCHEDULED,
    MessageEvent.Kind.FAILED,
    MessageEvent.Kind.SENDER_REFUSED,
)


def sender_retry_delay() -> float:
    """How long a message waits while the ESP refuses our credentials: between half and all of
    `MESSAGING_SENDER_RETRY_SECONDS`, so a whole day's queue does not come back at once."""
    ceiling = settings.MESSAGING_SENDER_RETRY_SECONDS
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not a secret


def retry_delay(*, attempt: int) -> float:
    """Exponential backoff with jitter: base, 2 base, 4 base... capped; each between half and all.

    The jitter spreads the retries of many messages that failed together (an ESP outage) so
    they do not all come back at the same second.
    """
    ceiling = min(
        settings.MESSAGING_RETRY_MAX_SECONDS,
        settings.MESSAGING_RETRY_BASE_SECONDS * 2 ** (attempt - 1),
    )
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not a secret


def freeze_startup_objects() -> None:
    """Hide what a warmed-up worker holds for good (modules, fonts, compiled templates) from
    the garbage collector, so its full collections walk only what one delivery allocates.

    Nothing is skipped: frozen objects stay alive, as they would anyway. Measured here, one
    full collection over a warmed-up worker took ~55 ms; it lands on whichever message is
    being delivered at the time. Call once, after `warm_up`, in each worker process.
    """
    gc.collect()
    gc.freeze()


def warm_up() -> None:
    """Build one throwaway document so a new worker process pays xhtml2pdf's first-render cost
    (imports, fonts: 0.5-0.8 s) before its first customer; never fails the worker."""
    from attachments.demo import CSS, HTML
    from attachments.models import AttachmentTemplate

    try:
        build_attachment(
            AttachmentTemplate(name="warm-up", html=HTML, css=CSS, filename_template="w.pdf"),
            sample_order_context(),
            "warm-up",
        )
    except Exception as exc:
        logger.warning("Worker warm-up failed (%s).", type(exc).__name__)


# --- relaying -------------------------------------------------------------------------------


def relay_due_messages(
    *, now: datetime | None = None, limit: int = 1000, dry_run: bool = False
) -> RelayReport:
    """Re-enqueue what the normal path lost: expired claims and due rows never picked up.

    A `sending` row whose claim expired belonged to a worker that died: it goes back to
    `queued`. A `queued` row due for longer than the grace period was never picked up (the
    broker was down at checkout, or the task was lost): it is published again, and its due time
    is moved to now so the next run leaves it alone for another grace period. Safe to run
    concurrently with workers and with itself: every change is a locked, conditional write.
    With `dry_run`, only counts what it would do.
    """
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.MESSAGING_RELAY_GRACE_SECONDS)
    if dry_run:
        return RelayReport(
            released=min(limit, Message.objects.claim_expired(now=now).count()),
            published=min(limit, Message.objects.due(now=stale).count()),
        )
    released = 0
    expired = list(
        Message.objects.claim_expired(now=now)
        .order_by("claimed_until")
        .values_list("pk", flat=True)[:limit]
    )
    for message_id in expired:
        with transaction.atomic():
            message = (
                Message.objects.claim_expired(now=now)
                .select_for_update(skip_locked=True)
                .filter(pk=message_id)
                .first()
            )
            if message is None:
                continue
            message.release_expired_claim(now=now)
            if message.attempts >= settings.MESSAGING_MAX_ATTEMPTS:
                message.mark_failed(reason="The worker stopped during the last attempt.")
                continue
        released += 1
        publish_delivery(message_id=message_id)

    published = 0
    lost = list(
        Message.objects.due(now=stale)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for message_id in lost:
        if Message.objects.due(now=stale).filter(pk=message_id).update(next_attempt_at=now):
            MessageEvent.objects.create(
                message_id=message_id,
                kind=MessageEvent.Kind.RELAYED,
                detail="Due but never picked up (broker down or task lost).",
            )
            published += publish_delivery(message_id=message_id)
    if released or published:
        logger.info(
            "Relay: %s expired claims released, %s messages re-enqueued.", released, published
        )
    report = RelayReport(released=released, published=published)
    relay_finished.send(sender=RelayReport, report=report)
    return report


# --- tracking -------------------------------------------------------------------------------

# Anymail's normalized tracking events → the status they prove (None: history only).
TRACKING_STATUS = {
    EventType.QUEUED: Message.Status.SENT,
    EventType.SENT: Message.Status.SENT,
    EventType.DELIVERED: Message.Status.DELIVERED,
    # Opening or clicking proves delivery, even if the delivery webhook never came.
    EventType.OPENED: Message.Status.DELIVERED,
    EventType.CLICKED: Message.Status.DELIVERED,
    EventType.COMPLAINED: Message.Status.DELIVERED,
    EventType.BOUNCED: Message.Status.BOUNCED,
    EventType.REJECTED: Message.Status.BOUNCED,
    EventType.FAILED: Message.Status.FAILED,
}


def record_tracking_event(*, event: AnymailTrackingEvent, esp_name: str) -> MessageEvent | None:
    """Append an ESP tracking event to its message's history and move its status forward.

    Replays (the same ESP event id, or the same event when the ESP gives no id) are ignored;
    a status never goes backwards, so a late `sent` cannot overwrite `delivered`.
    """
    message_id = _find_tracked_message(event=event)
    if message_id is None:
        logger.info("Tracking event %s for an unknown message; ignored.", event.event_type)
        return None
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        try:
            with transaction.atomic():
                recorded = message.record(
                    MessageEvent.Kind.TRACKING,
                    esp_event_type=event.event_type or "",
                    esp_event_id=tracking_event_key(event=event, esp_name=esp_name),
                    detail=_tracking_detail(event),
                    occurred_at=event.timestamp or timezone.now(),
                )
        except IntegrityError:
            return None  # a replay: recorded the first time
        status = TRACKING_STATUS.get(event.event_type)
        if status is not None:
            message.advance_to(status)
    return recorded


def _find_tracked_message(*, event: AnymailTrackingEvent) -> int | None:
    """The message an event is about: by the ESP's message id; by the metadata we sent only
    while the row has no ESP id yet (the webhook can beat our own write of it). A row whose ESP
    id is known is never matched through metadata, which anyone can write into a forged event.
    """
    if event.message_id:
        found = (
            Message.objects.filter(esp_message_id=str(event.message_id))
            .values_list("pk", flat=True)
            .first()
        )
        if found is not None:
            return found
    ours = (event.metadata or {}).get("message_id")
    if isinstance(ours, str | int) and str(ours).isdigit():
        return (
            Message.objects.filter(pk=int(ours), esp_message_id="")
            .values_list("pk", flat=True)
            .first()
        )
    return None


def tracking_event_key(*, event: AnymailTrackingEvent, esp_name: str) -> str:
    """A unique key per ESP event: its id, or (some ESPs send none, e.g. Postmark deliveries)
    a digest of what identifies it."""
    prefix = esp_name.lower()
    if event.event_id:
        return f"{prefix}:{event.event_id}"[:255]
    identity = "|".join(
        str(part) for part in (event.message_id, event.event_type, event.timestamp, event.recipient)
    )
    return f"{prefix}:sha256:{hashlib.sha256(identity.encode()).hexdigest()}"


def _tracking_detail(event: AnymailTrackingEvent) -> str:
    parts = [p for p in (event.reject_reason, event.description, event.mta_response) if p]
    return " — ".join(str(p) for p in parts)[:1000]
