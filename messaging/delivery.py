"""Delivering one message: claim → compose → send → record.

The rules this module keeps (docs/developers/architecture.md, "The flow of one order"):
- a worker claims a row in a short transaction and commits before any rendering or network
  I/O: no transaction is ever held across I/O;
- composing (render, build and encrypt each PDF) happens in memory, outside any transaction;
- every outcome is one short locked write with the attempt's history lines
  (`failures.py` decides what an outcome is);
- only ids and error classes reach the logs: no addresses, no Anymail exception text (it carries
  the payload, attachment included).
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import get_connection
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Prefetch
from django.utils import timezone

from . import outbox
from .checks import esp_timeout_seconds
from .compose import ComposeFailed, compose_email
from .failures import Accepted, Failure, classify_failure, describe_exception, read_acceptance
from .models import Event, Message, MessageAttachment, MessageEvent
from .models.events import ERASED_ADDRESS

logger = logging.getLogger(__name__)


def deliver_message(*, message_id: int) -> Message | None:
    """Claim, render, build attachments, send, and record the outcome of one attempt of
    `message_id` — and of up to `MESSAGING_BATCH_SIZE - 1` other due messages when a backlog
    waits behind it (docs/architecture.md, "Batched delivery").

    Returns the message as recorded, or None when there was nothing to do (another worker holds
    it, it is not due yet, or it is already finished): tasks can be delivered twice, the claim
    makes that harmless. The tasks of the other messages of the batch find them taken and do
    nothing.
    """
    recorded = deliver_messages(message_ids=[message_id])
    return next((message for message in recorded if message.pk == message_id), None)


def deliver_messages(*, message_ids: list[int]) -> list[Message]:
    """`deliver_message` for a batch the publisher already knew of (the relay, a resend run):
    these ids, topped up to `MESSAGING_BATCH_SIZE` with other due messages, in one claim.
    Returns the messages recorded (those claimed by someone else are not among them)."""
    batch = _claim_batch(message_ids=message_ids)
    claimed = {message.pk for message, _ in batch}
    for message_id in message_ids:
        if message_id not in claimed:
            # Not claimable in the batch: taken, finished, not due — or to be failed with the
            # reason (expired event, erased recipient, out of attempts), which this decides.
            one = _claim(message_id=message_id)
            if one is not None:
                batch.append(one)
    if not batch:
        return []
    return deliver_claimed(batch)


@dataclass
class _Attempt:
    """One claimed message's attempt in a batch, as it goes."""

    message: Message
    history: list[MessageEvent]
    outcome: Accepted | Failure | None = None
    esp_name: str = ""
    sent: MessageEvent | None = None  # the SENT line, once the row says `sent`
    started: bool = False  # composing began (False: released untouched if the batch stops)


def deliver_claimed(batch: list[tuple[Message, MessageEvent]]) -> list[Message]:
    """Compose and send each claimed message in turn, outside any transaction, then record
    every outcome in one short transaction.

    One message's failure (a template error, a refused address) is its own outcome and the
    next message goes on. The batch stops early — the messages not started go back to the
    queue, not charged an attempt — once starting another message could run into the task's
    soft time limit (`batch_seconds`), if the soft limit passes all the same, or when the ESP
    refuses our credentials (no other message could go out either).

    An accepted email is written to its row at once (`mark_sent_if_claimed`, one conditional
    UPDATE): a worker killed later in the batch then costs at most the one email whose request
    was in flight, never the ones before it. Its history lines wait for the batch's outcome
    transaction.
    """
    began = time.monotonic()
    budget = batch_seconds()
    attempts = [_Attempt(message=message, history=[started]) for message, started in batch]
    try:
        for index, attempt in enumerate(attempts):
            if index and budget is not None and time.monotonic() - began >= budget:
                # Too late to start another: its ESP request and the outcome write could
                # meet the soft time limit (messaging.E003's sum). The rest go back.
                break
            attempt.started = True
            _attempt(attempt)
            if isinstance(attempt.outcome, Failure) and attempt.outcome.sender_refused:
                break
    except SoftTimeLimitExceeded:
        logger.warning(
            "The soft time limit passed during a batch of %s messages; the rest go back to the "
            "queue.",
            len(attempts),
        )
        for attempt in attempts:
            if attempt.started and attempt.outcome is None:
                attempt.outcome = _failed(
                    SoftTimeLimitExceeded(),
                    message_id=attempt.message.pk,
                    attempt=attempt.message.attempts,
                    sending=attempt.message.esp_request_attempt == attempt.message.attempts,
                )
    return _write_outcome(
        partial(_record_batch, attempts, tries=[]),
        message_id=",".join(str(attempt.message.pk) for attempt in attempts),
        attempt=max(attempt.message.attempts for attempt in attempts),
    )


def batch_seconds() -> float | None:
    """How long after its claim a batch may still start a message: the task's soft time limit
    less the longest ESP request and the outcome write's window (the sum messaging.E003 keeps
    below it), so no request of a batch is ever cut by the soft limit. None: no soft limit.
    Zero or less: one message per task (the claim takes no others)."""
    soft_limit = settings.CELERY_TASK_SOFT_TIME_LIMIT
    if soft_limit is None:
        return None
    return soft_limit - esp_timeout_seconds() - settings.MESSAGING_OUTCOME_WRITE_SECONDS


def _attempt(attempt: _Attempt) -> None:
    """Compose and send one claimed message; its outcome on `attempt`. Soft time limit passing
    inside composing or sending: recorded as the outcome, then raised again to end the batch."""
    message = attempt.message
    try:
        composed = compose_email(message=message)
    except ComposeFailed as failed:
        attempt.history += failed.history
        attempt.outcome = _failed(
            failed.error, message_id=message.pk, attempt=message.attempts, sending=False
        )
        if isinstance(failed.error, SoftTimeLimitExceeded):
            raise failed.error from None
        return
    attempt.history += composed.history
    try:
        # Proof for the relay, should this worker die from now on, that the ESP was asked.
        message.record_esp_request()
    except (OperationalError, InterfaceError) as exc:
        attempt.outcome = _failed(
            exc, message_id=message.pk, attempt=message.attempts, sending=False
        )
        return
    attempt.outcome, attempt.esp_name, out_of_time = _send(
        composed.email, message=message, started=attempt.history[0]
    )
    if isinstance(attempt.outcome, Accepted):
        attempt.sent = _write_outcome(
            partial(_mark_accepted, attempt),
            message_id=message.pk,
            attempt=message.attempts,
            esp_message_id=attempt.outcome.esp_message_id or "unknown",
        )
    if out_of_time:
        raise SoftTimeLimitExceeded()


def _send(
    email, *, message: Message, started: MessageEvent
) -> tuple[Accepted | Failure, str, bool]:
    """One ESP request: what it came to, the ESP's name, and whether the soft time limit cut
    it; times it on `started`."""
    esp_name = ""
    try:
        backend = get_connection()
        esp_name = getattr(backend, "esp_name", None) or type(backend).__name__
        email.connection = backend
        requested = time.perf_counter()
        try:
            email.send()
        finally:
            # The ESP request, answered, refused or timed out: /metrics' ESP histogram.
            started.duration = time.perf_counter() - requested
    except Exception as exc:
        failure = _failed(exc, message_id=message.pk, attempt=message.attempts, sending=True)
        return failure, esp_name, isinstance(exc, SoftTimeLimitExceeded)
    outcome = read_acceptance(email, recipient=message.recipient)
    if isinstance(outcome, Failure):
        logger.warning("Message %s attempt %s refused by the ESP.", message.pk, message.attempts)
    return outcome, esp_name, False


def _failed(exc: Exception, *, message_id: int, attempt: int, sending: bool):
    """What an exception from composing or sending comes to; logged by class only."""
    logger.warning("Message %s attempt %s failed: %s", message_id, attempt, describe_exception(exc))
    return classify_failure(exc, sending=sending)


def _write_outcome(write, *, message_id: int | str, attempt: int, esp_message_id: str = ""):
    """Run an outcome write, reconnecting and trying again while the database is unreachable.

    The worker's connection sat idle while the ESP answered; a failover, a pooler restart or an
    administrator may have dropped it meanwhile. Losing the write would leave the row `sending`
    until its claim expires and the relay sends it again: a duplicate, and the first ESP id
    lost. The writes are conditional on the attempt (a repeat after a commit whose answer was
    lost changes nothing), so trying again is safe. If the database stays away for longer than
    `MESSAGING_OUTCOME_WRITE_SECONDS`, the ids are logged for an operator to reconcile.

    The task's soft time limit does not end the write either: it fires at most once, anywhere
    (in a wait, in the middle of a statement, whose transaction then rolls back), and losing
    the outcome of an email the ESP accepted costs the customer a second copy. The write goes
    on within its own window; the hard limit (`CELERY_TASK_TIME_LIMIT`) still ends the process
    (messaging/checks.py keeps the limits above the ESP timeout and this window).
    """
    deadline = time.monotonic() + settings.MESSAGING_OUTCOME_WRITE_SECONDS
    pause = 0.25
    while True:
        try:
            return write()
        except SoftTimeLimitExceeded:
            # Mid-statement perhaps: start again on a new connection.
            if not _drop_connection():
                raise
            _note_soft_limit(message_id=message_id, attempt=attempt)
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
            try:
                time.sleep(pause)
            except SoftTimeLimitExceeded:
                _note_soft_limit(message_id=message_id, attempt=attempt)
            pause = min(pause * 2, 4.0)


def _note_soft_limit(*, message_id: int, attempt: int) -> None:
    logger.warning(
        "Message %s attempt %s: the soft time limit passed while recording the outcome; "
        "still recording it.",
        message_id,
        attempt,
    )


def _claim_batch(*, message_ids: list[int]) -> list[tuple[Message, MessageEvent]]:
    """`message_ids` and, when they are customers' messages, other customer messages that are
    due (oldest first) up to `MESSAGING_BATCH_SIZE` in all, claimed in one statement: an
    `UPDATE … RETURNING` over a `SELECT … FOR UPDATE SKIP LOCKED` (rows another worker holds are
    skipped, never waited for). Each claimed message gets its own `claimed_until`.

    Only rows that can be sent are taken here: an expired event, an erased recipient or a row
    out of attempts is left to `_claim`, which fails it with the reason. An empty list: the
    message is not claimable that way (taken, finished, not due, or one of those).
    """
    now = timezone.now()
    budget = batch_seconds()
    size = settings.MESSAGING_BATCH_SIZE if budget is None or budget > 0 else 1
    others = max(0, size - len(message_ids))
    ids = ", ".join(["%s"] * len(message_ids))
    ops = connection.ops
    lock = (
        " FOR UPDATE OF c SKIP LOCKED"
        if connection.features.has_select_for_update_skip_locked
        else ""
    )
    messages, events = (
        connection.ops.quote_name(Message._meta.db_table),
        connection.ops.quote_name(Event._meta.db_table),
    )
    claimable = (
        "c.status = %s AND c.attempts < %s AND LOWER(c.recipient) <> %s AND (c.event_id IS NULL"
        " OR ((e.expires_at IS NULL OR e.expires_at > %s) AND (c.is_proof OR e.recipient <> %s)))"
    )
    claimable_params = [
        Message.Status.QUEUED,
        settings.MESSAGING_MAX_ATTEMPTS,
        ERASED_ADDRESS,
        ops.adapt_datetimefield_value(now),
        ERASED_ADDRESS,
    ]
    # Only table names from the models' Meta are formatted in; every value is a parameter.
    picked = f"SELECT c.id FROM {messages} c LEFT JOIN {events} e ON e.id = c.event_id WHERE "  # noqa: S608
    sql = (
        f"UPDATE {messages} SET status = %s, attempts = attempts + 1, claimed_until = %s, "  # noqa: S608
        f"updated_at = %s WHERE id IN ("
        # The task's own message: a task can arrive a little early (clocks, eager mode).
        f"SELECT id FROM ({picked}c.id IN ({ids}) AND c.next_attempt_at <= %s "
        f"AND {claimable}{lock}) own"
        " UNION ALL "
        # A backlog behind it: the oldest due customer messages, none held by another worker.
        f"SELECT id FROM ({picked}c.id NOT IN ({ids}) AND c.is_proof = %s "
        f"AND c.next_attempt_at <= %s "
        f"AND {claimable} AND EXISTS "
        f"(SELECT 1 FROM {messages} o WHERE o.id IN ({ids}) AND o.is_proof = %s)"
        f" ORDER BY c.next_attempt_at, c.id LIMIT %s{lock}) backlog"
        ") RETURNING id, event_id, is_proof, last_error"
    )
    params = [
        Message.Status.SENDING,
        ops.adapt_datetimefield_value(now + timedelta(seconds=settings.MESSAGING_CLAIM_SECONDS)),
        ops.adapt_datetimefield_value(now),
        *message_ids,
        ops.adapt_datetimefield_value(now + timedelta(seconds=1)),
        *claimable_params,
        *message_ids,
        False,
        ops.adapt_datetimefield_value(now),
        *claimable_params,
        *message_ids,
        False,
        others,
    ]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            return []
        Message.sync_claimed_events(
            [
                (event_id, pk, last_error)
                for pk, event_id, is_proof, last_error in rows
                if event_id and not is_proof
            ]
        )
    claimed = {
        message.pk: message
        for message in Message.objects.select_related(*_ATTEMPT_READS)
        .prefetch_related(_ATTACHMENTS)
        .filter(pk__in=[row[0] for row in rows])
        .order_by()
    }
    # The task's own messages first (their customers are waiting), then the oldest.
    position = {message_id: index for index, message_id in enumerate(message_ids)}
    order = sorted(
        claimed.values(),
        key=lambda m: (position.get(m.pk, len(position)), m.next_attempt_at, m.pk),
    )
    return [
        (
            message,
            MessageEvent(
                message=message,
                kind=MessageEvent.Kind.CLAIMED,
                attempt=message.attempts,
                occurred_at=now,
            ),
        )
        for message in order
    ]


# Everything an attempt reads, loaded with the claim.
_ATTEMPT_READS = ("template_revision__template", "layout_revision", "event__type")
_ATTACHMENTS = Prefetch(
    "attachment_links",
    queryset=MessageAttachment.objects.select_related("attachment_revision__template"),
)


def _claim(*, message_id: int) -> tuple[Message, MessageEvent] | None:
    """The message, now `sending` and ours, with its unsaved "attempt started" line."""
    now = timezone.now()
    # A task can arrive a little early (clocks, eager mode): that is what the relay is for.
    due_by = now + timedelta(seconds=1)
    with transaction.atomic():
        claimed = list(
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            # Everything the attempt reads, in this one query.
            .select_related(*_ATTEMPT_READS)
            .filter(pk=message_id, status=Message.Status.QUEUED, next_attempt_at__lte=due_by)
            # One row by primary key: no ORDER BY (`.first()` would compile Meta.ordering's
            # two columns into every claim, ~0.3 ms of ORM work per message).
            .order_by()[:1]
        )
        if not claimed:
            return None
        message = claimed[0]
        expires_at = message.event.expires_at if message.event_id else None
        if expires_at is not None and expires_at <= now:
            # Never sent late: the sender said when the email stops being worth sending.
            message.mark_failed(
                reason=f"Not sent: the event expired at {expires_at.isoformat()} before it "
                "could be sent.",
                expired=True,
            )
            return None
        if message.attempts >= settings.MESSAGING_MAX_ATTEMPTS:
            message.mark_failed(reason=message.last_error or "No attempts left.")
            return None
        if message.to_erased_recipient:
            # Erasure fails the messages it finds; this catches any other way one got here
            # (a row from an older release, a restored backup): never an email to the
            # placeholder address, nor one about an erased order.
            message.mark_failed(reason=Message.RECIPIENT_ERASED)
            return None
        started = message.claim(now=now, claim_seconds=settings.MESSAGING_CLAIM_SECONDS)
    return message, started


_SENT_FIELDS = ("status", "esp_name", "esp_message_id", "sent_at", "claimed_until", "last_error")


def _mark_accepted(attempt: _Attempt) -> MessageEvent | None:
    """The ESP accepted `attempt`: its row says so now (one conditional UPDATE and the event's
    status, in one transaction), before the next message of the batch is sent. Returns the SENT
    line, unsaved, or None when the row is no longer this attempt's (the outcome transaction
    then locks, re-reads and decides)."""
    message, accepted = attempt.message, attempt.outcome
    before = {name: getattr(message, name) for name in _SENT_FIELDS}
    try:
        with transaction.atomic():
            return message.mark_sent_if_claimed(
                esp_name=attempt.esp_name,
                esp_message_id=accepted.esp_message_id,
                now=timezone.now(),
            )
    except BaseException:
        # Rolled back: the instance must say what the row says, for the next try.
        for name, value in before.items():
            setattr(message, name, value)
        raise


def _record_batch(attempts: list[_Attempt], *, tries: list[int]) -> list[Message]:
    """Every outcome of a batch in one short transaction: the history lines of all its
    attempts in one INSERT, failures and late acceptances each decided under the row's lock,
    the messages never started put back in the queue. Retries are published after the commit.

    Tried again by `_write_outcome` after a dropped connection: every write is conditional on
    the attempt, and a repeat after a commit whose answer was lost skips what was written.
    """
    tries.append(1)
    now = timezone.now()
    history: list[MessageEvent] = []
    recorded: list[Message] = []
    publish: list[tuple[Message, float]] = []
    stopped_by = next(
        (
            a.outcome
            for a in attempts
            if isinstance(a.outcome, Failure) and a.outcome.sender_refused
        ),
        None,
    )
    with transaction.atomic():
        written = set()
        if len(tries) > 1:
            written = set(
                MessageEvent.objects.filter(
                    message__in=[a.message.pk for a in attempts], kind=MessageEvent.Kind.SENT
                ).values_list("message_id", "attempt")
            )
        for attempt in attempts:
            message = attempt.message
            number = message.attempts
            if not attempt.started:
                released, delay = _release_unstarted(message, attempt=number, refused=stopped_by)
                recorded.append(released)
                if delay is not None:
                    publish.append((released, delay))
            elif isinstance(attempt.outcome, Accepted):
                if (message.pk, number) in written:
                    recorded.append(message)
                    continue
                sent = attempt.sent or _late_acceptance(attempt, now=now)
                message = attempt.message  # re-read under the lock when the row had moved on
                if sent is None:
                    recorded.append(message)
                    continue
                note = attempt.outcome.note
                history += [
                    *attempt.history,
                    sent,
                    *(
                        [
                            MessageEvent(
                                message=message,
                                kind=MessageEvent.Kind.NOTE,
                                attempt=number,
                                detail=note,
                            )
                        ]
                        if note
                        else []
                    ),
                ]
                recorded.append(message)
            else:
                failed, retry_in = _record_failure(
                    message_id=message.pk,
                    attempt=number,
                    failure=attempt.outcome,
                    history=attempt.history,
                )
                recorded.append(failed)
                if retry_in is not None:
                    publish.append((failed, retry_in))
        # The attempts' history and their outcomes in one INSERT, in the outcome's transaction.
        MessageEvent.objects.bulk_create(_unsaved(history))
    for attempt in attempts:
        if isinstance(attempt.outcome, Accepted):
            logger.info(
                "Message %s sent (attempt %s).", attempt.message.pk, attempt.message.attempts
            )
    for message, delay in publish:
        # Capped so a countdown never outlives the broker's visibility timeout (Redis would
        # hand it to a second worker); a longer wait is the relay's job.
        outbox.publish_delivery(
            message_id=message.pk,
            countdown=min(delay, settings.MESSAGING_MAX_COUNTDOWN) if delay else None,
            proof=message.is_proof,
        )
    return recorded


def _late_acceptance(attempt: _Attempt, *, now) -> MessageEvent | None:
    """The ESP accepted `attempt` but the row had moved on (tracking, or the relay after an
    expired claim): lock it, re-read it and decide. None: written already."""
    number = attempt.message.attempts
    esp_name = attempt.esp_name
    esp_message_id = attempt.outcome.esp_message_id
    message = Message.objects.select_for_update().get(pk=attempt.message.pk)
    attempt.message = message
    if message.events.filter(kind=MessageEvent.Kind.SENT, attempt=number).exists():
        return None  # written already: a repeat after a commit whose answer was lost
    if message.late_acceptance_decides(attempt=number):
        return message.mark_sent(
            esp_name=esp_name,
            esp_message_id=esp_message_id,
            now=now,
            save_event=False,
            attempt=number,
        )
    # Another attempt owns the row (sending it now, or it already ended): its outcome stands;
    # ours is history (the customer may get the email twice).
    return MessageEvent(
        message=message,
        kind=MessageEvent.Kind.NOTE,
        attempt=number,
        detail=f"Late outcome: accepted by {esp_name} ({esp_message_id or 'message id unknown'}).",
    )


def _release_unstarted(
    message: Message, *, attempt: int, refused: Failure | None
) -> tuple[Message, float | None]:
    """A message the batch claimed but never started: back in the queue, not charged an
    attempt — held like the others when the ESP refused our credentials, else due at once.
    Returns it and the delay to publish it with (None: nothing changed)."""
    locked = Message.objects.select_for_update().get(pk=message.pk)
    if locked.status != Message.Status.SENDING or locked.attempts != attempt:
        return locked, None  # released already, or the relay took it back
    if refused is not None:
        delay = sender_retry_delay()
        locked.hold_for_sender(reason=refused.reason, delay=delay, now=timezone.now())
        return locked, delay
    locked.release_unstarted(now=timezone.now())
    return locked, 0.0


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


def _record_failure(
    *, message_id: int, attempt: int, failure: Failure, history: list[MessageEvent]
) -> tuple[Message, float | None]:
    """A failed attempt's outcome, under the row's lock: the row and the delay of its retry
    (None: no retry to publish). Called in the batch's outcome transaction."""
    retry_in: float | None = None
    history = _unsaved(history)
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        if message.status != Message.Status.SENDING or message.attempts != attempt:
            if message.events.filter(attempt=attempt, kind__in=OUTCOME_KINDS).exists():
                return message, None  # written already: a repeat after a lost commit answer
            # Our claim expired and someone else took over: keep the record, change nothing.
            MessageEvent.objects.bulk_create(history)
            message.record(
                MessageEvent.Kind.NOTE, attempt=attempt, detail=f"Late outcome: {failure.reason}"
            )
            return message, None
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
            if failure.retry_after is not None:
                # The ESP said when; never later than our own longest wait.
                retry_in = max(
                    retry_in, min(failure.retry_after, settings.MESSAGING_RETRY_MAX_SECONDS)
                )
            message.schedule_retry(reason=failure.reason, delay=retry_in, now=timezone.now())
        elif failure.transient:
            message.mark_failed(reason=f"{failure.reason} Gave up after {attempt} attempts.")
        else:
            message.mark_failed(reason=failure.reason)
    return message, retry_in


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
