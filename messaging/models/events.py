"""Events: what a sender (a shop, through `messaging.events.send_event`) told the message center
happened, with the data its templates render, and the one status an integrator reads.

An event's messages are its emails: the first, and each resend. The event's status follows
its latest message (`Event.follow`, called by the message's own transitions), so the message
state machine stays the only place a status changes.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import models
from django.db.models import Q

from stafftemplates.contexts import template_context

from ..encryption import EncryptedJSONField

# What erasure (`operations.retention`) writes in place of a recipient's address: a reserved
# .invalid domain (RFC 2606) that validates as an address and reveals nothing.
ERASED_ADDRESS = "erased@erased.invalid"


def new_event_token() -> str:
    """A random token: what an event's generated document passwords derive from."""
    return secrets.token_urlsafe(32)


class Client(models.Model):
    """Who sends events: a shop's system. Events sent through the Python API without one have
    none (the project itself)."""

    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EventQuerySet(models.QuerySet):
    def latest_for(
        self, *, reference: str, client: Client | None = None, type: str | None = None
    ) -> Event | None:
        """The newest event `client` (None: the project itself) sent with `reference`, of the
        event type coded `type` when given: a sender that sends several types about one
        record (an order's confirmation, shipping notice, refunds) names the one it means."""
        events = self.filter(client=client, reference=reference)
        if type is not None:
            events = events.filter(type_id=type)
        return events.order_by("-created_at", "-id").first()


class Event(models.Model):
    """One event of a type, for one recipient, with its data as it arrived (encrypted)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        BOUNCED = "bounced", "Bounced"
        FAILED = "failed", "Failed"
        IGNORED = "ignored", "Ignored"
        EXPIRED = "expired", "Expired"

    type = models.ForeignKey(
        "stafftemplates.EventType",
        to_field="code",
        on_delete=models.PROTECT,
        related_name="events",
    )
    recipient = models.EmailField()
    recipient_name = models.CharField(max_length=200, blank=True)
    # The language its templates are chosen in (one of LANGUAGES).
    language = models.CharField(max_length=10)
    # Validated against the type's schema when it arrived; rendered as it arrived, whatever
    # changes at the sender later (a retry and a resend show the same).
    data = EncryptedJSONField(default=dict)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    # The sender's own name for what happened, e.g. its order number.
    reference = models.CharField(max_length=200, blank=True, db_index=True)
    idempotency_key = models.CharField(max_length=200)
    # SHA-256 of the canonical request: the same key with another body is a conflict.
    request_hash = models.CharField(max_length=64)
    token = models.CharField(max_length=64, default=new_event_token, editable=False)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    status_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One event per idempotency key and client; the project's own events (no client)
            # share one key space. Two partial indexes: a NULL client would otherwise never
            # collide, and NULLS NOT DISTINCT is not portable.
            models.UniqueConstraint(
                fields=["client", "idempotency_key"],
                condition=Q(client__isnull=False),
                name="one_event_per_client_idempotency_key",
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(client__isnull=True),
                name="one_local_event_per_idempotency_key",
            ),
        ]
        indexes = [models.Index(fields=["type", "created_at"], name="event_type_created_idx")]

    def __str__(self) -> str:
        return f"{self.type_id} #{self.pk}"

    @property
    def is_erased(self) -> bool:
        """Whether the recipient's data was erased on request: it is never sent again."""
        return self.recipient == ERASED_ADDRESS

    def template_context(self, *, language: str = "") -> dict[str, Any]:
        """What this event's templates render: its data as it arrived, typed by its type's
        schema, with the standard values (`stafftemplates.contexts`)."""
        return template_context(
            schema=self.type.schema,
            data=self.data,
            recipient_email=self.recipient,
            recipient_name=self.recipient_name,
            language=language or self.language,
            event_id=self.pk,
            reference=self.reference,
            client_id=self.client_id,
        )

    def follow(self, message, *, expired: bool = False) -> None:
        """Take the status of `message` (one of this event's, just transitioned), when it is
        the latest: a resend speaks for the event, the message it replaced no longer does.

        One conditional UPDATE, in the caller's transaction."""
        status, reason = event_status_of(message, expired=expired)
        later = message.__class__.objects.filter(
            event_id=self.pk, is_proof=False, sequence__gt=message.sequence
        )
        changed = (
            Event.objects.filter(pk=self.pk)
            .exclude(models.Exists(later))
            .exclude(status=status, status_reason=reason)
            .update(status=status, status_reason=reason)
        )
        if changed:
            self.status, self.status_reason = status, reason


def event_status_of(message, *, expired: bool = False) -> tuple[str, str]:
    """The status (and reason) an event has whose latest message is `message`."""
    statuses = message.Status
    if message.status == statuses.FAILED:
        if expired:
            return Event.Status.EXPIRED, message.last_error
        return Event.Status.FAILED, message.last_error
    if message.status == statuses.QUEUED and not message.attempts:
        return Event.Status.PENDING, ""
    if message.status in (statuses.QUEUED, statuses.SENDING):
        return Event.Status.PROCESSING, message.last_error
    return {
        statuses.SENT: Event.Status.SENT,
        statuses.DELIVERED: Event.Status.DELIVERED,
        statuses.BOUNCED: Event.Status.BOUNCED,
    }[message.status], ""
