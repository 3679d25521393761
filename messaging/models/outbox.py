"""The outbox: one `Message` row per email, written in the same transaction as the event it is
about (and so as the sender's own write, e.g. an order), so a committed event always has its
email waiting.

The worker, the relay and the tracking webhooks move a message forward through the transition
methods of `Message` (and only those): the state machine lives here, with the model.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from .events import ERASED_ADDRESS, Event
from .history import MessageEvent
from .templates import LayoutRevision, MessageTemplateRevision


class MessageQuerySet(models.QuerySet):
    def due(self, *, now: datetime):
        """Queued rows whose next attempt time has come."""
        return self.filter(status=Message.Status.QUEUED, next_attempt_at__lte=now)

    def claim_expired(self, *, now: datetime):
        """Rows a worker claimed and never finished: it crashed, or was killed."""
        return self.filter(status=Message.Status.SENDING, claimed_until__lt=now)

    def to_recipient(self, address: str):
        """Messages to `address`, whatever its letter case (served by an index on lower())."""
        return self.annotate(recipient_lower=Lower("recipient")).filter(
            recipient_lower=address.lower()
        )

    def latest_per_event(self):
        """Customer messages that no later message of the same event replaced.

        A resend is a new row with the next sequence number: what an operator resends is the
        latest one, never an older one that was already resent.
        """
        later = Message.objects.filter(
            event=models.OuterRef("event"),
            is_proof=False,
            sequence__gt=models.OuterRef("sequence"),
        )
        return self.filter(is_proof=False).exclude(models.Exists(later))


class Message(models.Model):
    """The outbox row: one email about one event, from queued to its final status."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        BOUNCED = "bounced", "Bounced"
        FAILED = "failed", "Failed"

    # The failure reason of a message whose recipient was erased on request (never sent).
    RECIPIENT_ERASED = "Not sent: the recipient's data was erased on request."

    # How far along a message is; tracking only ever moves it to a higher rank, and bounced and
    # failed are final.
    RANK = {
        Status.QUEUED: 0,
        Status.SENDING: 1,
        Status.SENT: 2,
        Status.DELIVERED: 3,
        Status.BOUNCED: 4,
        Status.FAILED: 4,
    }

    event = models.ForeignKey(
        "messaging.Event",
        on_delete=models.PROTECT,
        null=True,
        blank=True,  # proofs, rendered from their type's example, have none
        related_name="messages",
    )
    recipient = models.EmailField()
    # The language it was rendered in (its template's); empty for messages from before
    # languages, which render in the default language.
    language = models.CharField(max_length=10, blank=True)
    template_revision = models.ForeignKey(
        MessageTemplateRevision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    layout_revision = models.ForeignKey(
        LayoutRevision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    attachment_revisions = models.ManyToManyField(
        "attachments.AttachmentTemplateRevision",
        through="MessageAttachment",
        blank=True,
        related_name="messages",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    # The attempt whose ESP request started (0: none yet): written just before the request, so
    # a worker that dies before it leaves proof the email was not sent.
    esp_request_attempt = models.PositiveSmallIntegerField(default=0, editable=False)
    esp_name = models.CharField("ESP", max_length=50, blank=True)
    esp_message_id = models.CharField("ESP message id", max_length=255, blank=True, db_index=True)
    last_error = models.TextField(blank=True)
    # 0 for the first message of an event; each resend takes the next number.
    sequence = models.PositiveSmallIntegerField(default=0)
    resend_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="resends"
    )
    is_proof = models.BooleanField(
        default=False, help_text="A proof sent to staff: never counted as the customer's message."
    )
    # Who asked for a proof: the per-staff limit (MESSAGING_PROOF_LIMIT) counts by it.
    proof_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "sequence"],
                condition=Q(is_proof=False),
                name="one_message_per_event_sequence",
            ),
            models.CheckConstraint(
                condition=Q(is_proof=True) | Q(event__isnull=False),
                name="customer_message_has_event",
            ),
        ]
        indexes = [
            # The relay's two questions: what is due, and whose claim expired.
            models.Index(fields=["status", "next_attempt_at"], name="message_due_idx"),
            models.Index(fields=["status", "claimed_until"], name="message_claim_idx"),
            # The per-recipient daily limit, counted at every checkout.
            models.Index(Lower("recipient"), "created_at", name="message_recipient_day_idx"),
            # Delivery health: messages per status over a time window (halves the page at 10⁶).
            models.Index(fields=["created_at", "status"], name="message_created_status_idx"),
        ]
        permissions = [("resend_message", "Can resend messages")]

    def __str__(self) -> str:
        return f"Message #{self.pk}"

    def is_recent_resend(self, *, now: datetime) -> bool:
        """A resend younger than the resend cooldown that has not failed or bounced: resending
        it again is almost surely a second click or a second run, not a decision."""
        cooldown = timedelta(seconds=settings.MESSAGING_RESEND_COOLDOWN_SECONDS)
        return (
            self.resend_of_id is not None
            and self.created_at > now - cooldown
            and self.status not in (self.Status.FAILED, self.Status.BOUNCED)
        )

    @property
    def to_erased_recipient(self) -> bool:
        """Whether this message would go to a person erased on request: to the placeholder
        address, or of an event whose recipient was erased (proofs go to staff)."""
        if self.recipient.lower() == ERASED_ADDRESS:
            return True
        return not self.is_proof and self.event is not None and self.event.is_erased

    # --- transitions: the only code that changes `status` ------------------------------------
    # Callers hold the row locked (select_for_update) in a short transaction.

    def claim(self, *, now: datetime, claim_seconds: float) -> MessageEvent:
        """queued → sending: a worker owns the row until `claimed_until`.

        Returns the CLAIMED event unsaved, stamped `now`: the worker writes it with the
        attempt's outcome, in that one statement. If the worker dies first, the relay's
        CLAIM_EXPIRED line records the attempt instead.
        """
        self._expect(self.Status.QUEUED)
        self.status = self.Status.SENDING
        self.attempts += 1
        self.claimed_until = now + timedelta(seconds=claim_seconds)
        self.save(update_fields=["status", "attempts", "claimed_until", "updated_at"])
        self.sync_event_status()
        return MessageEvent(
            message=self, kind=MessageEvent.Kind.CLAIMED, attempt=self.attempts, occurred_at=now
        )

    def mark_sent(
        self,
        *,
        esp_name: str,
        esp_message_id: str,
        now: datetime,
        save_event: bool = True,
        attempt: int | None = None,
    ) -> MessageEvent:
        """The ESP accepted the message.

        Tracking may have moved the row on already (its webhook can beat our own write), so a
        higher status is kept; only the ESP's ids are filled in. With `save_event=False` the
        SENT event is returned unsaved, for the caller to insert with the attempt's other
        history lines in one statement (same transaction). `attempt` is the attempt that sent
        it, when that is not the row's latest (a late outcome).
        """
        changes = self._sent_changes(esp_name, esp_message_id, now)
        for name, value in changes.items():
            setattr(self, name, value)
        self.save(update_fields=[*changes, "updated_at"])
        self.sync_event_status()
        event = self._sent_event(esp_name, attempt=attempt or self.attempts)
        if save_event:
            event.save()
        return event

    def mark_sent_if_claimed(
        self, *, esp_name: str, esp_message_id: str, now: datetime
    ) -> MessageEvent | None:
        """`mark_sent` for the worker holding the claim, in one conditional UPDATE (no lock, no
        read): the usual outcome write. Returns the SENT event unsaved, or None, changing
        nothing (in the database or on this instance), when the row is no longer this attempt's
        `sending` (tracking or the relay moved it on): then lock it, re-read it and decide.
        """
        if self.status != self.Status.SENDING:
            return None
        claimed = Q(pk=self.pk, status=self.Status.SENDING, attempts=self.attempts)
        changes = {**self._sent_changes(esp_name, esp_message_id, now), "updated_at": now}
        if not type(self).objects.filter(claimed).update(**changes):
            return None
        for name, value in changes.items():
            setattr(self, name, value)
        self.sync_event_status()
        return self._sent_event(esp_name, attempt=self.attempts)

    def _sent_changes(self, esp_name: str, esp_message_id: str, now: datetime) -> dict:
        """The fields acceptance by the ESP sets; a status tracking already moved on is kept."""
        sent = self.RANK[self.status] < self.RANK[self.Status.SENT]
        return {
            "status": self.Status.SENT if sent else self.status,
            "esp_name": esp_name,
            "esp_message_id": esp_message_id,
            "sent_at": self.sent_at or now,
            "claimed_until": None,
            "last_error": "",
        }

    def _sent_event(self, esp_name: str, *, attempt: int) -> MessageEvent:
        return MessageEvent(
            message=self, kind=MessageEvent.Kind.SENT, attempt=attempt, detail=esp_name
        )

    def late_acceptance_decides(self, *, attempt: int) -> bool:
        """Whether the ESP's acceptance of `attempt` sets this row (locked, re-read) to sent.

        Yes when the row is still this attempt's (a webhook moved it on first: the ESP's ids
        are filled in, the higher status kept) and when it is back in `queued` (the relay
        released an expired claim, or a later attempt is waiting for a retry: sent stops another
        copy). No when another attempt is sending it or ended it, nor once it is `failed`: a
        status never goes back, and the history line says the email went out after all.
        """
        if self.status == self.Status.QUEUED:
            return True
        return self.attempts == attempt and self.status != self.Status.FAILED

    def schedule_retry(self, *, reason: str, delay: float, now: datetime) -> MessageEvent:
        """sending → queued, due again after `delay` seconds."""
        self._expect(self.Status.SENDING)
        self.status = self.Status.QUEUED
        self.next_attempt_at = now + timedelta(seconds=delay)
        self.claimed_until = None
        self.last_error = reason
        self.save(
            update_fields=["status", "next_attempt_at", "claimed_until", "last_error", "updated_at"]
        )
        self.sync_event_status()
        return self.record(
            MessageEvent.Kind.RETRY_SCHEDULED,
            attempt=self.attempts,
            detail=f"{reason} Next attempt in {round(delay)} s.",
        )

    def hold_for_sender(self, *, reason: str, delay: float, now: datetime) -> MessageEvent:
        """sending → queued, the attempt not counted: the ESP refused *our* credentials (or the
        backend is misconfigured), which no number of attempts at this message would fix.

        The message waits `delay` seconds and tries again, for as long as it takes: when an
        operator fixes the token, every held message goes out by itself.
        """
        self._expect(self.Status.SENDING)
        attempt = self.attempts
        self.status = self.Status.QUEUED
        self.attempts = max(0, self.attempts - 1)
        self.next_attempt_at = now + timedelta(seconds=delay)
        self.claimed_until = None
        self.last_error = reason
        self.save(
            update_fields=[
                "status",
                "attempts",
                "next_attempt_at",
                "claimed_until",
                "last_error",
                "updated_at",
            ]
        )
        self.sync_event_status()
        return self.record(
            MessageEvent.Kind.SENDER_REFUSED,
            attempt=attempt,
            detail=f"{reason} Not counted as an attempt; next try in {round(delay)} s.",
        )

    def mark_failed(self, *, reason: str, expired: bool = False) -> MessageEvent:
        """Any unfinished status → failed: nothing more will be tried. `expired`: because its
        event's `expires_at` passed first (the event ends `expired`, not `failed`)."""
        if self.RANK[self.status] >= self.RANK[self.Status.SENT]:
            raise ValueError(f"A {self.status} message cannot fail.")
        self.status = self.Status.FAILED
        self.claimed_until = None
        self.last_error = reason
        self.save(update_fields=["status", "claimed_until", "last_error", "updated_at"])
        self.sync_event_status(expired=expired)
        return self.record(MessageEvent.Kind.FAILED, attempt=self.attempts, detail=reason)

    def release_expired_claim(self, *, now: datetime) -> MessageEvent:
        """sending (claim expired) → queued: the worker that held it is gone.

        If its ESP request had started, it may have handed the email over before it died:
        this is the one window where a customer can get the email twice, and the history says
        so. If the request never started (`esp_request_attempt`), the history says it was not
        sent.
        """
        self._expect(self.Status.SENDING)
        if self.esp_request_attempt == self.attempts:
            self.last_error = "The worker stopped during the attempt."
            detail = "The worker stopped during the attempt (the email may have been sent)."
        else:
            self.last_error = "The worker stopped before the ESP request: the email was not sent."
            detail = self.last_error
        self.status = self.Status.QUEUED
        self.next_attempt_at = now
        self.claimed_until = None
        self.save(
            update_fields=["status", "next_attempt_at", "claimed_until", "last_error", "updated_at"]
        )
        self.sync_event_status()
        return self.record(MessageEvent.Kind.CLAIM_EXPIRED, attempt=self.attempts, detail=detail)

    def record_esp_request(self) -> None:
        """The claimed attempt is about to ask the ESP: from now on it may have been sent.

        Its own write, committed before the request (never inside a transaction around it);
        only while this attempt still holds the row."""
        Message.objects.filter(
            pk=self.pk, status=self.Status.SENDING, attempts=self.attempts
        ).update(esp_request_attempt=self.attempts)
        self.esp_request_attempt = self.attempts

    def advance_to(self, status: str) -> bool:
        """Move forward only (tracking): returns whether the status changed."""
        if self.RANK[self.status] >= self.RANK[status] or self.RANK[self.status] == 4:
            return False
        self.status = status
        self.claimed_until = None
        self.save(update_fields=["status", "claimed_until", "updated_at"])
        self.sync_event_status()
        return True

    def release_unstarted(self, *, now: datetime) -> MessageEvent:
        """sending → queued, the attempt not counted: its worker claimed it with a batch and
        stopped (the task's soft time limit) before starting it. Nothing was rendered or sent."""
        self._expect(self.Status.SENDING)
        self.status = self.Status.QUEUED
        self.attempts = max(0, self.attempts - 1)
        self.next_attempt_at = now
        self.claimed_until = None
        self.save(
            update_fields=["status", "attempts", "next_attempt_at", "claimed_until", "updated_at"]
        )
        self.sync_event_status()
        return self.record(
            MessageEvent.Kind.NOTE,
            detail="Not started: the worker's batch ran out of time before this message; "
            "back in the queue, not counted as an attempt.",
        )

    @classmethod
    def sync_claimed_events(cls, claimed: list[tuple[int, int, str]]) -> None:
        """`sync_event_status` for messages a batch just claimed (queued → sending), given as
        (event id, message id, last error): one UPDATE per distinct reason (usually one), not
        one per message. Each event follows only its latest message, as `Event.follow` does."""
        by_reason: dict[str, list[int]] = {}
        for _event_id, message_id, reason in claimed:
            by_reason.setdefault(reason, []).append(message_id)
        for reason, message_ids in by_reason.items():
            latest = cls.objects.latest_per_event().filter(pk__in=message_ids)
            Event.objects.filter(pk__in=latest.values("event_id")).exclude(
                status=Event.Status.PROCESSING, status_reason=reason
            ).update(status=Event.Status.PROCESSING, status_reason=reason)

    def sync_event_status(self, *, expired: bool = False) -> None:
        """Every transition ends here: the event takes its latest message's status."""
        if self.event_id is not None and not self.is_proof:
            Event(pk=self.event_id).follow(self, expired=expired)

    def record(self, kind: str, **fields) -> MessageEvent:
        """Append one event to this message's history."""
        return MessageEvent.objects.create(message=self, kind=kind, **fields)

    def _expect(self, status: str) -> None:
        if self.status != status:
            raise ValueError(f"Message {self.pk} is {self.status}, not {status}.")


class MessageAttachment(models.Model):
    """The attachment template revisions a message is built from, in order (pinned on queue)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachment_links")
    attachment_revision = models.ForeignKey(
        "attachments.AttachmentTemplateRevision", on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.message} #{self.position}"
