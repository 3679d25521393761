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
from datetime import timedelta
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import get_connection
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from . import outbox
from .compose import ComposeFailed, compose_email
from .failures import Accepted, Failure, classify_failure, describe_exception, read_acceptance
from .models import Message, MessageEvent

logger = logging.getLogger(__name__)


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
    history: list[MessageEvent] = [started]
    esp_name = ""
    try:
        composed = compose_email(message=message)
    except ComposeFailed as failed:
        history += failed.history
        outcome = _failed(failed.error, message_id=message_id, attempt=attempt, sending=False)
    else:
        history += composed.history
        try:
            # Proof for the relay, should this worker die from now on, that the ESP was asked.
            message.record_esp_request()
        except (OperationalError, InterfaceError) as exc:
            outcome = _failed(exc, message_id=message_id, attempt=attempt, sending=False)
        else:
            outcome, esp_name = _send(composed.email, message=message, started=started)
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


def _send(email, *, message: Message, started: MessageEvent) -> tuple[Accepted | Failure, str]:
    """One ESP request: what it came to, and the ESP's name; times it on `started`."""
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
        return _failed(exc, message_id=message.pk, attempt=message.attempts, sending=True), esp_name
    outcome = read_acceptance(email, recipient=message.recipient)
    if isinstance(outcome, Failure):
        logger.warning("Message %s attempt %s refused by the ESP.", message.pk, message.attempts)
    return outcome, esp_name


def _failed(exc: Exception, *, message_id: int, attempt: int, sending: bool):
    """What an exception from composing or sending comes to; logged by class only."""
    logger.warning("Message %s attempt %s failed: %s", message_id, attempt, describe_exception(exc))
    return classify_failure(exc, sending=sending)


def _write_outcome(write, *, message_id: int, attempt: int, esp_message_id: str = ""):
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


def _claim(*, message_id: int) -> tuple[Message, MessageEvent] | None:
    """The message, now `sending` and ours, with its unsaved "attempt started" line."""
    now = timezone.now()
    # A task can arrive a little early (clocks, eager mode): that is what the relay is for.
    due_by = now + timedelta(seconds=1)
    with transaction.atomic():
        claimed = list(
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            # Everything the attempt reads, in this one query.
            .select_related("template_revision__template", "layout_revision", "event__type")
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
            if message.late_acceptance_decides(attempt=attempt):
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
    if retry_in is not None:
        # Capped so a countdown never outlives the broker's visibility timeout (Redis would
        # hand it to a second worker); a longer wait is the relay's job.
        outbox.publish_delivery(
            message_id=message_id,
            countdown=min(retry_in, settings.MESSAGING_MAX_COUNTDOWN),
            proof=message.is_proof,
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
