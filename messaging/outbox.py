"""The outbox: write a message row in the caller's transaction and publish its id on commit.

The rules (docs/developers/architecture.md, "The flow of one order"):
- the outbox row is written in the event's transaction (the sender's: e.g. the order's), so it
  commits with the event or not at all;
- its id reaches Celery only after the commit, through `publish_on_commit`, and that publish
  can never fail or hang the checkout (`publish_delivery` never raises);
- only ids cross the broker: no addresses, no personal data.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from .languages import template_for
from .models import Event, Message, MessageAttachment, MessageEvent, MessageTemplate
from .pinning import PinnedRevisions, pinned_revisions

logger = logging.getLogger(__name__)


class CustomerErased(Exception):
    """The event's recipient was erased on request: nothing is queued for them again."""

    def __init__(self, event: Event):
        super().__init__(
            "Not sent: the customer's data was erased on request "
            f"({event.reference or f'event #{event.pk}'})."
        )


@dataclass(frozen=True)
class ResendRun:
    """What `resend_messages` did: the resends it queued, and the originals it refused because
    their customer was erased on request (the others it left alone were resent meanwhile or
    are recent resends)."""

    resends: list[Message]
    erased: list[int]


def publish_on_commit(message_id: int, *, proof: bool = False) -> None:
    """Hand `message_id` to Celery once the current transaction commits (at once outside one).

    The one way a new or resent message is published: the worker must never see an id whose
    row has not committed, and a rolled-back order publishes nothing.
    """
    transaction.on_commit(partial(publish_delivery, message_id=message_id, proof=proof))


def publish_delivery(
    *,
    message_id: int,
    countdown: float | None = None,
    proof: bool = False,
    batch: list[int] | None = None,
) -> bool:
    """Hand a message id to Celery; never raises.

    It runs after the order committed: an exception here would turn a paid order into an error
    page. A broker that is down only delays the email: the row stays queued and the relay
    publishes it again. The publish itself is bounded by the broker settings (connect and
    socket timeouts, a short publish retry policy).

    A `proof` goes to `MESSAGING_PROOF_QUEUE`: a staff member's drafts, however slow to draw,
    never wait in front of (or hold up) a customer's confirmation on the delivery queue.

    A `batch` (ids, `message_id` first) goes as one `deliver_messages` task: see
    `publish_deliveries`.
    """
    # The tasks module imports the delivery workflows.
    from .tasks import deliver_message, deliver_messages

    queue = settings.MESSAGING_PROOF_QUEUE if proof else None
    try:
        if batch:
            deliver_messages.apply_async((batch,), countdown=countdown, queue=queue)
        else:
            deliver_message.apply_async((message_id,), countdown=countdown, queue=queue)
    except Exception as exc:
        logger.warning(
            "Could not enqueue message %s (%s); the relay will retry.",
            message_id,
            type(exc).__name__,
        )
        return False
    return True


def publish_deliveries(message_ids: list[int], *, proof: bool = False) -> int:
    """Hand many message ids to Celery that are due now (the relay's, a resend run's): one task
    per `MESSAGING_BATCH_SIZE` of them (`deliver_messages`), or one per message when they are
    fewer than two (`deliver_message`, as a checkout publishes). Never raises; returns how many
    ids reached the broker (the rest wait for the relay)."""
    size = max(1, settings.MESSAGING_BATCH_SIZE)
    if len(message_ids) < 2 or size == 1:
        return sum(publish_delivery(message_id=pk, proof=proof) for pk in message_ids)
    published = 0
    for start in range(0, len(message_ids), size):
        chunk = list(message_ids[start : start + size])
        if publish_delivery(message_id=chunk[0], proof=proof, batch=chunk):
            published += len(chunk)
    return published


def queue_message(
    *,
    event: Event,
    recipient: str | None = None,
    resend_of: Message | None = None,
    note: str = "",
) -> Message | None:
    """Write the outbox row of `event` and enqueue its delivery on commit.

    Call it inside the event's transaction (`send_event` does): the row commits with the event
    or not at all. The first message of an event is idempotent; a resend (`resend_of`) takes
    the next sequence number. The template and attachment revisions are pinned now, so every
    retry renders the same thing.

    An event whose type has no published email template (in any language) gets no message:
    it is marked `ignored` with the reason, and None is returned.

    Raises `CustomerErased` for an event whose recipient was erased on request.
    """
    if event.is_erased:
        raise CustomerErased(event)
    with transaction.atomic():
        if resend_of is None:
            existing = Message.objects.filter(event=event, is_proof=False, sequence=0).first()
            if existing is not None:
                return existing
            sequence = 0
        else:
            last = (
                Message.objects.filter(event=event, is_proof=False)
                .order_by("-sequence")
                .values_list("sequence", flat=True)
                .first()
            )
            sequence = 0 if last is None else last + 1
        # The event's language picks the versions (a resend keeps it: it is the event's).
        template, fallbacks = template_for(event=event.type_id, language=event.language)
        if resend_of is None and (template is None or template.published_revision_id is None):
            _ignore(event)
            return None
        # Customers get the published revisions, never a draft (messaging/pinning.py).
        pinned = (
            pinned_revisions(template, draft=False, language=event.language)
            if template
            else PinnedRevisions(None)
        )
        message = Message.objects.create(
            event=event,
            recipient=recipient or event.recipient,
            language=template.language if template else "",
            template_revision=pinned.template_revision,
            layout_revision=pinned.layout_revision,
            sequence=sequence,
            resend_of=resend_of,
        )
        _pin_attachments(message=message, revisions=pinned.attachment_revisions)
        message.sync_event_status()  # a resend: the event waits for it now
        message.record(MessageEvent.Kind.QUEUED, detail=note)
        _record_fallbacks(message=message, lines=[*fallbacks, *pinned.fallbacks])
        if pinned.problem:
            # Kept and failed with the reason, never silently sent without its draft parts.
            message.mark_failed(
                reason=f"Not sent: {pinned.problem}. Publish it in admin, then resend this message."
            )
            logger.warning("Message %s not sent: a template part is unpublished.", message.pk)
            return message
        if resend_of is None and _over_daily_limit(message):
            # Kept, not dropped: staff see why, and can resend it by hand.
            message.mark_failed(
                reason="Not sent: this address already received "
                f"{settings.MESSAGING_RECIPIENT_DAILY_LIMIT} emails in the last 24 hours "
                "(MESSAGING_RECIPIENT_DAILY_LIMIT). Resend it from admin if it is genuine."
            )
            logger.warning("Message %s not sent: recipient over the daily limit.", message.pk)
            return message
        if event.scheduled_at and event.scheduled_at > message.next_attempt_at:
            # Sent no earlier than the sender asked; the relay publishes it when it is due.
            message.next_attempt_at = event.scheduled_at
            message.save(update_fields=["next_attempt_at"])
            return message
        publish_on_commit(message.pk)
    return message


def _ignore(event: Event) -> None:
    """No published email for the event's type: nothing to send, and the event says why."""
    reason = (
        f"No published email template of event type “{event.type_id}”: publish one in admin, "
        "then send the event again with a new idempotency key."
    )
    Event.objects.filter(pk=event.pk).update(status=Event.Status.IGNORED, status_reason=reason)
    event.status, event.status_reason = Event.Status.IGNORED, reason
    logger.warning("Event %s ignored: its type has no published email template.", event.pk)


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


class ProofLimitReached(ValueError):
    """The staff member sent `MESSAGING_PROOF_LIMIT` proofs within the window already."""


def queue_proof(
    *,
    template: MessageTemplate,
    recipient: str,
    event: Event | None = None,
    requested_by: str,
    requester: AbstractBaseUser | None = None,
    draft: bool = True,
) -> Message:
    """Queue a proof of `template` to a staff address, from `event`'s data or the type's
    example: its newest revisions, drafts included (`draft`, what staff are checking), or the
    published ones.

    Raises `ValueError` when what was asked for was never published (nothing queued), and
    `ProofLimitReached` (a `ValueError`) when `requester` already sent
    `MESSAGING_PROOF_LIMIT` proofs in the last `MESSAGING_PROOF_WINDOW_MINUTES`: each proof
    holds a worker process while its documents are drawn.

    Delivered by the same engine as customers' messages, and marked `is_proof`: it takes none
    of the event's sequence numbers (the uniqueness constraint, `queue_message` and resends all
    ignore proofs), so the customer's own message and its resends are left alone. A proof
    without an event renders the example, its PDF encrypted with the sample password.
    """
    pinned = pinned_revisions(template, draft=draft)
    if pinned.problem:
        raise ValueError(f"{pinned.problem}; publish it, or send a proof of the draft.")
    with transaction.atomic(durable=True):
        if requester is not None:
            _check_proof_limit(requester)
        message = Message.objects.create(
            event=event,
            recipient=recipient,
            language=template.language,  # with its layout and PDFs in that language
            template_revision=pinned.template_revision,
            layout_revision=pinned.layout_revision,
            is_proof=True,
            proof_requested_by=requester,
        )
        _pin_attachments(message=message, revisions=pinned.attachment_revisions)
        source = f"event {event.reference or event.pk}" if event else "the example"
        version = "newest revisions (drafts included)" if draft else "published revisions"
        message.record(
            MessageEvent.Kind.QUEUED,
            detail=f"Proof of the {version} from {source}, requested by {requested_by}.",
        )
        _record_fallbacks(message=message, lines=pinned.fallbacks)
        publish_on_commit(message.pk, proof=True)
    return message


def _check_proof_limit(requester: AbstractBaseUser) -> None:
    """Raise `ProofLimitReached` when `requester` is at the limit; call inside the transaction
    that creates the proof (the requester's row is locked, so two clicks cannot both pass)."""
    limit = settings.MESSAGING_PROOF_LIMIT
    if not limit:
        return
    get_user_model().objects.select_for_update().filter(pk=requester.pk).exists()
    window = timedelta(minutes=settings.MESSAGING_PROOF_WINDOW_MINUTES)
    since = timezone.now() - window
    recent = Message.objects.filter(
        is_proof=True, proof_requested_by=requester, created_at__gte=since
    ).order_by("-created_at")
    times = list(recent.values_list("created_at", flat=True)[:limit])
    if len(times) >= limit:
        free_at = timezone.localtime(times[-1] + window)
        raise ProofLimitReached(
            f"you have sent {limit} proof{'s' if limit != 1 else ''} in the last "
            f"{settings.MESSAGING_PROOF_WINDOW_MINUTES} minutes (MESSAGING_PROOF_LIMIT); "
            f"the next can be sent at {free_at:%H:%M}"
        )


def _pin_attachments(*, message: Message, revisions: list) -> None:
    MessageAttachment.objects.bulk_create(
        MessageAttachment(message=message, attachment_revision=revision, position=position)
        for position, revision in enumerate(revisions)
    )


def _record_fallbacks(*, message: Message, lines: list[str]) -> None:
    """One history line per version that is not in the wanted language."""
    for line in lines:
        message.record(MessageEvent.Kind.NOTE, detail=line)


def resend_message(*, message_id: int, reason: str, by: str, force: bool = False) -> Message | None:
    """Queue a new message of the same event as `message_id` (`resend_of` set).

    The new row takes the next sequence number and is delivered by the same engine, from the
    same data (the event's, as it arrived) and with the same document password (it derives
    from the event). Returns None, changing nothing, when:
    - the message was already replaced by a later one: two operators (or an operator and staff
      in admin) racing on the same message produce exactly one resend, because the original
      row is locked and re-checked before writing;
    - the message is itself a resend younger than `MESSAGING_RESEND_COOLDOWN_SECONDS` that has
      not failed or bounced, unless `force`: two overlapping runs of the resend command, or a
      double click on a resend's own page, would otherwise resend the resend.

    Raises `CustomerErased`, changing nothing, when the order's customer was erased on request.
    """
    with transaction.atomic():
        original = (
            Message.objects.select_for_update(of=("self",))
            .select_related("event")
            .filter(pk=message_id, is_proof=False)
            .first()
        )
        if original is None or original.event_id is None:
            return None
        # Read after the lock, in its own statement: an erasure that held the lock is seen.
        event = Event.objects.get(pk=original.event_id)
        if event.is_erased:
            raise CustomerErased(event)
        original.event = event
        if not Message.objects.latest_per_event().filter(pk=original.pk).exists():
            return None
        if not force and original.is_recent_resend(now=timezone.now()):
            return None
        note = f"Resend of message #{original.pk} by {by}" + (f": {reason}" if reason else ".")
        try:
            with transaction.atomic():
                resend = queue_message(event=original.event, resend_of=original, note=note)
        except IntegrityError:
            return None  # the same sequence number was taken at the same moment
        original.record(MessageEvent.Kind.NOTE, detail=f"Resent as message #{resend.pk}.")
    return resend


def resend_messages(
    *, message_ids: list[int], reason: str, by: str, force: bool = False
) -> ResendRun:
    """`resend_message` for many messages at once, in one transaction: what the resend
    command queues, a chunk at a time.

    The same rules, row for row: each original is locked (in id order, so two runs never
    deadlock) and re-checked under the lock; one that was already replaced, or is a recent
    resend (unless `force`), is left alone. The template, layout and attachment revisions are
    looked up once per (type, language) instead of once per message, and the rows and their
    history lines are written in a few statements: over 100,000 events this is what keeps the
    run minutes, not an hour. Each resend is published when the transaction commits. An event
    whose recipient was erased on request is never resent: its original is returned in
    `erased`.
    """
    now = timezone.now()
    with transaction.atomic():
        originals = list(
            Message.objects.select_for_update(of=("self",))
            .select_related("event")
            .filter(pk__in=message_ids, is_proof=False, event__isnull=False)
            .order_by("pk")
        )
        # Read after the locks, in their own statement: an erasure that held them is seen.
        events = Event.objects.in_bulk({original.event_id for original in originals})
        for original in originals:
            original.event = events[original.event_id]
        erased = [original.pk for original in originals if original.event.is_erased]
        originals = [original for original in originals if not original.event.is_erased]
        latest = set(
            Message.objects.latest_per_event()
            .filter(pk__in=[original.pk for original in originals])
            .values_list("pk", flat=True)
        )
        originals = [
            original
            for original in originals
            if original.pk in latest and (force or not original.is_recent_resend(now=now))
        ]
        if not originals:
            return ResendRun([], erased)
        # Per (type, the event's language), as `queue_message` picks them.
        pins = {key: _pins(*key) for key in {_pin_key(original) for original in originals}}
        if any(pin.pinned.problem for pin in pins.values()):
            # A part never published: `queue_message` fails each resend with the reason.
            return ResendRun(_resend_each(originals, reason=reason, by=by, force=force), erased)
        try:
            with transaction.atomic():
                resends = Message.objects.bulk_create(
                    Message(
                        event=original.event,
                        recipient=original.event.recipient,
                        language=pin.language,
                        template_revision=pin.pinned.template_revision,
                        layout_revision=pin.pinned.layout_revision,
                        sequence=original.sequence + 1,
                        resend_of=original,
                    )
                    for original in originals
                    for pin in [pins[_pin_key(original)]]
                )
        except IntegrityError:
            # A sequence number taken meanwhile by a writer that did not lock the original:
            # one at a time, each with its own check.
            return ResendRun(_resend_each(originals, reason=reason, by=by, force=force), erased)
        events, links = [], []
        for original, resend in zip(originals, resends, strict=True):
            pin = pins[_pin_key(original)]
            links += [
                MessageAttachment(message=resend, attachment_revision=revision, position=position)
                for position, revision in enumerate(pin.pinned.attachment_revisions)
            ]
            note = f"Resend of message #{original.pk} by {by}" + (f": {reason}" if reason else ".")
            events += [
                MessageEvent(message=resend, kind=MessageEvent.Kind.QUEUED, detail=note),
                # A version in another language than the event's, as `queue_message` notes it.
                *(
                    MessageEvent(message=resend, kind=MessageEvent.Kind.NOTE, detail=line)
                    for line in pin.fallbacks
                ),
                MessageEvent(
                    message=original,
                    kind=MessageEvent.Kind.NOTE,
                    detail=f"Resent as message #{resend.pk}.",
                ),
            ]
        MessageAttachment.objects.bulk_create(links)
        MessageEvent.objects.bulk_create(events)
        # Each event now waits for its resend (the status of a new first message).
        Event.objects.filter(pk__in=[original.event_id for original in originals]).update(
            status=Event.Status.PENDING, status_reason=""
        )
        # One task per batch of resends (a run queues thousands), after the commit.
        transaction.on_commit(partial(publish_deliveries, [resend.pk for resend in resends]))
    return ResendRun(resends, erased)


def _pin_key(message: Message) -> tuple[str, str]:
    return message.event.type_id, message.event.language


@dataclass(frozen=True)
class _Pin:
    """What a new customer message of one event type in one language is rendered from."""

    language: str
    pinned: PinnedRevisions
    fallbacks: list[str]


def _pins(event_type: str, language: str) -> _Pin:
    """The revisions `queue_message` pins for an event of `event_type` in `language`."""
    template, fallbacks = template_for(event=event_type, language=language)
    pinned = (
        pinned_revisions(template, draft=False, language=language)
        if template
        else PinnedRevisions(None)
    )
    return _Pin(template.language if template else "", pinned, [*fallbacks, *pinned.fallbacks])


def _resend_each(originals: list[Message], **options) -> list[Message]:
    """`resend_message` for each, in savepoints of the caller's transaction."""
    return [
        resend
        for original in originals
        if (resend := resend_message(message_id=original.pk, **options))
    ]
