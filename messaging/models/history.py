"""A message's history (`MessageEvent`, append-only) and what it says about the sender."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone


@dataclass(frozen=True)
class SenderOutage:
    """The ESP has been refusing our credentials since `since`; `waiting` messages are held."""

    since: datetime
    reason: str
    waiting: int


class MessageEventQuerySet(models.QuerySet):
    def sender_outage(self) -> SenderOutage | None:
        """The current outage of the sender, if the ESP's last word on our credentials was a
        refusal (no email accepted since): what the messages list warns about."""
        refused = (
            self.filter(kind=MessageEvent.Kind.SENDER_REFUSED)
            .order_by("-occurred_at")
            .values_list("occurred_at", "detail")
            .first()
        )
        if refused is None:
            return None
        last_seen, detail = refused
        if self.filter(kind=MessageEvent.Kind.SENT, occurred_at__gt=last_seen).exists():
            return None  # an email went out since: fixed
        since = (
            self.filter(kind=MessageEvent.Kind.SENT, occurred_at__lt=last_seen)
            .order_by("-occurred_at")
            .values_list("occurred_at", flat=True)
            .first()
        )
        first_refusal = self.filter(kind=MessageEvent.Kind.SENDER_REFUSED)
        if since is not None:
            first_refusal = first_refusal.filter(occurred_at__gt=since)
        started = first_refusal.order_by("occurred_at").values_list("occurred_at", flat=True)[0]
        message_model = MessageEvent._meta.get_field("message").related_model
        waiting = (
            message_model.objects.filter(
                status=message_model.Status.QUEUED,
                events__kind=MessageEvent.Kind.SENDER_REFUSED,
                events__occurred_at__gte=started,
            )
            .distinct()
            .count()
        )
        return SenderOutage(since=started, reason=detail.split(" Not counted")[0], waiting=waiting)


class MessageEvent(models.Model):
    """One line of a message's history; append-only."""

    class Kind(models.TextChoices):
        QUEUED = "queued", "Queued"
        CLAIMED = "claimed", "Attempt started"
        RENDERED = "rendered", "Rendered"
        ATTACHMENT_BUILT = "attachment_built", "Attachment built"
        SENT = "sent", "Accepted by the ESP"
        NO_RESPONSE = "no_response", "No response (may have been sent)"
        RETRY_SCHEDULED = "retry_scheduled", "Retry scheduled"
        SENDER_REFUSED = "sender_refused", "ESP refused our credentials (not counted)"
        CLAIM_EXPIRED = "claim_expired", "Worker lost"
        RELAYED = "relayed", "Re-enqueued by the relay"
        FAILED = "failed", "Failed"
        TRACKING = "tracking", "ESP tracking event"
        NOTE = "note", "Note"

    message = models.ForeignKey("Message", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    attempt = models.PositiveSmallIntegerField(null=True, blank=True)
    detail = models.TextField(blank=True)
    size = models.PositiveIntegerField(null=True, blank=True, help_text="Bytes, for attachments.")
    # How long the step took, in seconds, for `/metrics`' histograms (operations/metrics.py):
    # building and encrypting the PDF on an "Attachment built" line; the ESP request (send(),
    # answered or not) on the "Attempt started" line of an attempt that reached it. Empty for
    # every other line and for attempts that stopped before sending.
    duration = models.FloatField(null=True, blank=True, help_text="Seconds the step took.")
    # Tracking events: Anymail's normalized type (delivered, bounced, opened…) and the ESP's
    # event id, unique so a replayed webhook is recorded once.
    esp_event_type = models.CharField(max_length=30, blank=True)
    esp_event_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MessageEventQuerySet.as_manager()

    class Meta:
        # When it happened: an attempt's lines are written together, with its outcome.
        ordering = ["occurred_at", "id"]
        indexes = [
            # "The latest event of this kind" (the sender-outage warning) without a scan.
            models.Index(fields=["kind", "occurred_at"], name="message_event_kind_time_idx"),
            # Bounces and complaints from tracking over a window (delivery health, metrics).
            models.Index(
                fields=["kind", "esp_event_type", "occurred_at"], name="message_event_tracking_idx"
            ),
            # /metrics' duration histograms count the timed lines written since a moment
            # (operations/durations.py): read from the index alone, timed lines only.
            models.Index(
                fields=["created_at", "kind", "duration"],
                name="message_event_duration_idx",
                condition=Q(duration__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        label = self.get_kind_display()
        return f"{label}: {self.esp_event_type}" if self.esp_event_type else label

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("The message history is append-only.")
        super().save(*args, **kwargs)
