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
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import requests
from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from anymail.signals import AnymailTrackingEvent, EventType
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from attachments.documents import AttachmentError, build_attachment, document_password
from shop.documents import order_context, sample_order_context
from shop.models import Order

from .models import Message, MessageAttachment, MessageEvent, MessageTemplate
from .rendering import MessageTemplateError, render_message

logger = logging.getLogger(__name__)

# The document password of a proof rendered from the sample order: stable, and obviously fake.
SAMPLE_ORDER_TOKEN = "sample-order-token"  # noqa: S105 - not a secret, a preview fixture

# HTTP statuses worth another attempt: the ESP is busy or broken, not refusing the message.
TRANSIENT_STATUSES = frozenset({408, 425, 429}) | frozenset(range(500, 600))


@dataclass(frozen=True)
class Failure:
    """How one failed attempt is recorded: the reason for staff, and what to do next."""

    reason: str
    transient: bool
    maybe_sent: bool = False  # the ESP may have accepted it (no response came back)


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
        transaction.on_commit(partial(publish_delivery, message_id=message.pk))
    return message


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


def resend_message(*, message_id: int, reason: str, by: str) -> Message | None:
    """Queue a new message for the same order and event as `message_id` (`resend_of` set).

    The new row takes the next sequence number and is delivered by the same engine, with the
    same document password (it derives from the order). Returns None when the message was
    already replaced by a later one: two operators (or an operator and staff in admin) racing
    on the same message produce exactly one resend, because the original row is locked and
    re-checked before writing.
    """
    with transaction.atomic():
        original = Message.objects.select_for_update().filter(pk=message_id, is_proof=False).first()
        if original is None or original.order_id is None:
            return None
        if not Message.objects.latest_per_order().filter(pk=original.pk).exists():
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
    try:
        email = compose_email(message=message, history=history)
        phase = "send"
        connection = get_connection()
        email.connection = connection
        email.send()
    except Exception as exc:
        failure = classify_failure(exc, sending=phase == "send")
        logger.warning(
            "Message %s attempt %s failed: %s",
            message_id,
            attempt,
            describe_exception(exc),
        )
        return _record_failure(
            message_id=message_id, attempt=attempt, failure=failure, history=history
        )
    return _record_sent(
        message=message,
        email=email,
        history=history,
        esp_name=getattr(connection, "esp_name", None) or type(connection).__name__,
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
    email: EmailMultiAlternatives,
    esp_name: str,
    history: list[MessageEvent],
) -> Message:
    status = getattr(email, "anymail_status", None)
    esp_message_id = str(status.message_id) if status and status.message_id is not None else ""
    now, attempt = timezone.now(), message.attempts
    with transaction.atomic():
        sent = message.mark_sent_if_claimed(
            esp_name=esp_name, esp_message_id=esp_message_id, now=now
        )
        if sent is None:  # tracking or the relay moved the row on: lock it and re-read
            message = Message.objects.select_for_update().get(pk=message.pk)
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
                    detail=f"Late outcome: accepted by {esp_name} ({esp_message_id}).",
                )
        # The attempt's history and its outcome in one INSERT, in the outcome's transaction.
        MessageEvent.objects.bulk_create([*history, sent])
    logger.info("Message %s sent (attempt %s).", message.pk, attempt)
    return message


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
    with transaction.atomic():
        MessageEvent.objects.bulk_create(history)
        message = Message.objects.select_for_update().get(pk=message_id)
        if message.status != Message.Status.SENDING or message.attempts != attempt:
            # Our claim expired and someone else took over: keep the record, change nothing.
            message.record(
                MessageEvent.Kind.NOTE, attempt=attempt, detail=f"Late outcome: {failure.reason}"
            )
            return message
        if failure.maybe_sent:
            message.record(MessageEvent.Kind.NO_RESPONSE, attempt=attempt, detail=failure.reason)
        if failure.transient and attempt < settings.MESSAGING_MAX_ATTEMPTS:
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


def classify_failure(exc: BaseException, *, sending: bool) -> Failure:
    """Sort an exception into transient (try again later) or permanent (fail with a reason).

    Reasons name the ESP status and error class only: Anymail's exception text carries the
    request payload (addresses, the attachment) and never goes into a log or the database.
    """
    if isinstance(exc, AnymailRecipientsRefused):
        return Failure("The ESP refused the recipient address.", transient=False)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return Failure("Could not connect to the ESP (timeout).", transient=True)
    if isinstance(exc, requests.exceptions.ConnectionError) and not isinstance(
        exc, requests.exceptions.ReadTimeout
    ):
        return Failure("Could not connect to the ESP.", transient=True)
    if isinstance(exc, requests.exceptions.Timeout):
        # The request went out and no answer came: the ESP may have sent it. Retrying risks a
        # duplicate (no idempotency keys at most ESPs); not retrying risks losing it.
        return Failure("No response from the ESP.", transient=True, maybe_sent=True)
    if isinstance(exc, AnymailAPIError):
        status = exc.status_code
        detail = _esp_error_detail(exc)
        esp = exc.esp_name or "ESP"
        if status is None:
            return Failure(f"{esp} gave no usable response.", transient=True, maybe_sent=sending)
        reason = f"{esp} API responded {status}{detail}."
        return Failure(reason, transient=status in TRANSIENT_STATUSES)
    if isinstance(exc, MessageTemplateError):
        return Failure(f"Template error: {exc}", transient=False)
    if isinstance(exc, AttachmentError):
        return Failure(f"Attachment error ({type(exc).__name__}): {exc}", transient=False)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return Failure("The SMTP server refused the recipient address.", transient=False)
    if isinstance(exc, smtplib.SMTPResponseException):
        return Failure(
            f"SMTP server responded {exc.smtp_code}.", transient=400 <= exc.smtp_code < 500
        )
    if isinstance(exc, OSError | smtplib.SMTPException):
        return Failure(
            f"Mail connection error ({type(exc).__name__}).", transient=True, maybe_sent=sending
        )
    # Unknown: retrying is safer than losing the email; the attempts cap ends a real bug.
    return Failure(f"Unexpected error ({type(exc).__name__}).", transient=True, maybe_sent=sending)


def _esp_error_detail(exc: AnymailAPIError) -> str:
    """The ESP's own error code/message for staff (stored, never logged), kept short."""
    response = getattr(exc, "response", None)
    try:
        body = response.json() if response is not None else None
    except ValueError:
        return ""
    if not isinstance(body, Mapping):
        return ""
    parts = []
    if body.get("ErrorCode") not in (None, 0):
        parts.append(f"error code {body['ErrorCode']}")
    text = body.get("Message") or body.get("message")
    if isinstance(text, str) and text:
        parts.append(text[:200])
    return f" ({': '.join(parts)})" if parts else ""


def describe_exception(exc: BaseException) -> str:
    """What a log line may say about an exception: its class and HTTP status, nothing else."""
    status = getattr(exc, "status_code", None)
    return f"{type(exc).__name__} (HTTP {status})" if status else type(exc).__name__


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
    return RelayReport(released=released, published=published)


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
    if event.message_id:
        found = (
            Message.objects.filter(esp_message_id=str(event.message_id))
            .values_list("pk", flat=True)
            .first()
        )
        if found is not None:
            return found
    # The webhook can beat our own write of the ESP's id: fall back on the metadata we sent.
    ours = (event.metadata or {}).get("message_id")
    if isinstance(ours, str | int) and str(ours).isdigit():
        return Message.objects.filter(pk=int(ours)).values_list("pk", flat=True).first()
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
