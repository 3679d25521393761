"""ESP tracking: an authenticated webhook's event moves its message forward and joins its
history (`anymail.signals.tracking` → `receivers.record_tracking` → here)."""

from __future__ import annotations

import hashlib
import logging

from anymail.signals import AnymailTrackingEvent, EventType
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Message, MessageEvent

logger = logging.getLogger(__name__)

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
                    esp_event_type=without_nul(event.event_type or ""),
                    esp_event_id=without_nul(tracking_event_key(event=event, esp_name=esp_name)),
                    detail=without_nul(_tracking_detail(event)),
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


def without_nul(text: str) -> str:
    """`text` with each NUL byte replaced by U+FFFD: an ESP relays a receiving server's answer
    as it came, and PostgreSQL refuses NUL in a text column (the event would never be
    recorded, and the ESP would retry it for days)."""
    return text.replace("\x00", "\ufffd")


def _tracking_detail(event: AnymailTrackingEvent) -> str:
    parts = [p for p in (event.reject_reason, event.description, event.mta_response) if p]
    return " — ".join(str(p) for p in parts)[:1000]
