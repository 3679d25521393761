"""Message templates with immutable revisions, the outbox (`Message`) and its history.

A `Message` row is written in the same transaction as the order it is about, so a committed
order always has its confirmation waiting; the worker, the relay and the tracking webhooks move
it forward through the transition methods below (and only those).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from attachments.revisions import Revision, RevisionedModel

from .rendering import syntax_error_message, validate_template_syntax


class Event(models.TextChoices):
    """What happened that deserves an email; one context builder per event."""

    ORDER_CONFIRMATION = "order_confirmation", "Order confirmation"


def validate_stylesheet(css: str) -> None:
    """The stylesheet goes inside `<style>`: it must not be able to close that element."""
    if "</style" in css.lower():
        raise ValidationError("The stylesheet cannot contain “</style”.", code="stylesheet")


class Layout(RevisionedModel):
    """The frame the messages of a template render inside: branding is changed here, once.

    The template's HTML body goes between `html_header` and `html_footer`, `css` into a
    `<style>` in the email's `<head>`, and the text body between `text_header` and
    `text_footer`. Every save keeps an immutable `LayoutRevision`; each message pins the one it
    was rendered from, like it pins its template's.
    """

    REVISION_FIELDS = ("name", "html_header", "html_footer", "css", "text_header", "text_footer")
    TEMPLATE_FIELDS = ("html_header", "html_footer", "text_header", "text_footer")

    name = models.CharField(max_length=200, unique=True)
    html_header = models.TextField(
        "HTML header",
        blank=True,
        validators=[validate_template_syntax],
        help_text="Django template language, e.g. your logo and {{ shop.name }}. It may open "
        "elements the footer closes.",
    )
    html_footer = models.TextField("HTML footer", blank=True, validators=[validate_template_syntax])
    css = models.TextField(
        "CSS",
        blank=True,
        validators=[validate_stylesheet],
        help_text="Plain CSS (not a template), placed in the style element of the email's head.",
    )
    text_header = models.TextField("text header", blank=True, validators=[validate_template_syntax])
    text_footer = models.TextField("text footer", blank=True, validators=[validate_template_syntax])
    active = models.BooleanField(
        default=True, help_text="An inactive layout is skipped: its templates render alone."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, author=None, note: str = "", **kwargs) -> None:
        """Save (templates compiled first, like message templates) and keep a revision."""
        errors = {
            field: message
            for field in self.TEMPLATE_FIELDS
            if (message := syntax_error_message(getattr(self, field)))
        }
        if "</style" in self.css.lower():
            errors["css"] = "The stylesheet cannot contain “</style”."
        if errors:
            raise ValidationError(errors)
        super().save(*args, author=author, note=note, **kwargs)


class LayoutRevision(Revision):
    """An immutable snapshot of a layout: what a message was rendered inside."""

    REVISED_FIELD = "layout"

    layout = models.ForeignKey(Layout, on_delete=models.CASCADE, related_name="revisions")
    name = models.CharField(max_length=200)
    html_header = models.TextField("HTML header", blank=True)
    html_footer = models.TextField("HTML footer", blank=True)
    css = models.TextField("CSS", blank=True)
    text_header = models.TextField(blank=True)
    text_footer = models.TextField(blank=True)

    class Meta:
        ordering = ["layout", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["layout", "number"], name="unique_layout_revision")
        ]


class MessageTemplateQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class MessageTemplate(RevisionedModel):
    """The staff-editable email for one event: subject, bodies, sender and attachments.

    Every save keeps an immutable `MessageTemplateRevision`; messages point at the revision they
    were rendered from, so editing a template never changes what history says was sent.
    """

    # The fields copied into each revision: the content, not the bookkeeping.
    REVISION_FIELDS = ("layout_id", "subject", "text_body", "html_body", "from_email", "reply_to")

    event = models.CharField(max_length=50, choices=Event.choices, db_index=True)
    name = models.CharField(max_length=200)
    layout = models.ForeignKey(
        Layout,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="message_templates",
        help_text="The header, footer and styles this email renders inside.",
    )
    subject = models.CharField(
        max_length=998,  # RFC 5322's line limit
        validators=[validate_template_syntax],
        help_text="Django template language; e.g. Your order {{ order.number }}.",
    )
    text_body = models.TextField(
        "text body",
        validators=[validate_template_syntax],
        help_text="The plain-text version every email has.",
    )
    html_body = models.TextField(
        "HTML body",
        blank=True,
        validators=[validate_template_syntax],
        help_text="Optional HTML version; values are escaped automatically.",
    )
    from_email = models.CharField(
        "from", max_length=254, blank=True, help_text="Empty: the site's DEFAULT_FROM_EMAIL."
    )
    reply_to = models.CharField("reply-to", max_length=254, blank=True)
    attachment_templates = models.ManyToManyField(
        "attachments.AttachmentTemplate",
        through="MessageTemplateAttachment",
        blank=True,
        related_name="message_templates",
    )
    active = models.BooleanField(
        default=True, help_text="The active template of an event is the one sent."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MessageTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["event", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"], condition=Q(active=True), name="one_active_template_per_event"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, author=None, note: str = "", **kwargs) -> None:
        """Save (templates compiled first) and keep a revision."""
        # Compile on save, whoever saves (admin, a command, a migration): a syntax error must
        # be found here, never by a worker at 3 a.m.
        errors = {
            field: message
            for field in ("subject", "text_body", "html_body")
            if (message := syntax_error_message(getattr(self, field)))
        }
        if errors:
            raise ValidationError(errors)
        super().save(*args, author=author, note=note, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.active and (
            MessageTemplate.objects.active().filter(event=self.event).exclude(pk=self.pk).exists()
        ):
            raise ValidationError({"active": "Another active template already sends this event."})

    def applied_layout(self) -> Layout | None:
        """The layout messages render inside now: none when unset or inactive."""
        return self.layout if self.layout_id and self.layout.active else None

    def restore_related(self, revision: MessageTemplateRevision) -> None:
        """Restore the revision's attachments too, leaving out those deleted since."""
        attachment_model = MessageTemplateAttachment._meta.get_field(
            "attachment_template"
        ).related_model
        ids = list(revision.attachment_template_ids)
        existing = set(attachment_model.objects.filter(pk__in=ids).values_list("pk", flat=True))
        self.attachment_links.all().delete()
        MessageTemplateAttachment.objects.bulk_create(
            MessageTemplateAttachment(template=self, attachment_template_id=pk, position=i)
            for i, pk in enumerate(pk for pk in ids if pk in existing)
        )

    def ordered_attachment_templates(self) -> list:
        """The attachment templates in their configured order."""
        return [link.attachment_template for link in self.attachment_links.all()]

    def revision_content(self) -> dict:
        """The fields plus the attachments in order (admin saves those after the template,
        then records again: a no-op unless they changed)."""
        content = super().revision_content()
        content["attachment_template_ids"] = (
            list(self.attachment_links.values_list("attachment_template_id", flat=True))
            if self.pk
            else []
        )
        return content


class MessageTemplateAttachment(models.Model):
    """Which attachment templates a message template carries, and in which order."""

    template = models.ForeignKey(
        MessageTemplate, on_delete=models.CASCADE, related_name="attachment_links"
    )
    attachment_template = models.ForeignKey(
        "attachments.AttachmentTemplate", on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "attachment_template"], name="unique_attachment_per_template"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} #{self.position}"


class MessageTemplateRevision(Revision):
    """An immutable snapshot of a message template's content: what a message was rendered from.

    Restoring a revision (back office) copies its content back onto the template, which creates
    a new revision; revisions themselves never change.
    """

    template = models.ForeignKey(
        MessageTemplate, on_delete=models.CASCADE, related_name="revisions"
    )
    layout = models.ForeignKey(
        Layout, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(max_length=998)
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    from_email = models.CharField(max_length=254, blank=True)
    reply_to = models.CharField(max_length=254, blank=True)
    # Ids of the attachment templates in order, as configured when this revision was taken.
    attachment_template_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["template", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="unique_message_template_revision"
            )
        ]

    def content(self) -> dict:
        content = super().content()
        content["attachment_template_ids"] = list(self.attachment_template_ids)
        return content


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

    def latest_per_order(self):
        """Customer messages that no later message of the same (order, event) replaced.

        A resend is a new row with the next sequence number: what an operator resends is the
        latest one, never an older one that was already resent.
        """
        later = Message.objects.filter(
            order=models.OuterRef("order"),
            event=models.OuterRef("event"),
            is_proof=False,
            sequence__gt=models.OuterRef("sequence"),
        )
        return self.filter(is_proof=False).exclude(models.Exists(later))


class Message(models.Model):
    """The outbox row: one email about one order, from queued to its final status."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        BOUNCED = "bounced", "Bounced"
        FAILED = "failed", "Failed"

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

    event = models.CharField(max_length=50, choices=Event.choices, db_index=True)
    order = models.ForeignKey(
        "shop.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,  # proofs rendered from the sample order have none
        related_name="messages",
    )
    recipient = models.EmailField()
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
    esp_name = models.CharField("ESP", max_length=50, blank=True)
    esp_message_id = models.CharField("ESP message id", max_length=255, blank=True, db_index=True)
    last_error = models.TextField(blank=True)
    # 0 for the first message of an (order, event); each resend takes the next number.
    sequence = models.PositiveSmallIntegerField(default=0)
    resend_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="resends"
    )
    is_proof = models.BooleanField(
        default=False, help_text="A proof sent to staff: never counted as the customer's message."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "event", "sequence"],
                condition=Q(is_proof=False),
                name="one_message_per_order_event_sequence",
            )
        ]
        indexes = [
            # The relay's two questions: what is due, and whose claim expired.
            models.Index(fields=["status", "next_attempt_at"], name="message_due_idx"),
            models.Index(fields=["status", "claimed_until"], name="message_claim_idx"),
            # The per-recipient daily limit, counted at every checkout.
            models.Index(Lower("recipient"), "created_at", name="message_recipient_day_idx"),
        ]
        permissions = [("resend_message", "Can resend messages")]

    def __str__(self) -> str:
        return f"{self.get_event_display()} #{self.pk}"

    def is_recent_resend(self, *, now: datetime) -> bool:
        """A resend younger than the resend cooldown that has not failed or bounced: resending
        it again is almost surely a second click or a second run, not a decision."""
        cooldown = timedelta(seconds=settings.MESSAGING_RESEND_COOLDOWN_SECONDS)
        return (
            self.resend_of_id is not None
            and self.created_at > now - cooldown
            and self.status not in (self.Status.FAILED, self.Status.BOUNCED)
        )

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
        return self.record(
            MessageEvent.Kind.SENDER_REFUSED,
            attempt=attempt,
            detail=f"{reason} Not counted as an attempt; next try in {round(delay)} s.",
        )

    def mark_failed(self, *, reason: str) -> MessageEvent:
        """Any unfinished status → failed: nothing more will be tried."""
        if self.RANK[self.status] >= self.RANK[self.Status.SENT]:
            raise ValueError(f"A {self.status} message cannot fail.")
        self.status = self.Status.FAILED
        self.claimed_until = None
        self.last_error = reason
        self.save(update_fields=["status", "claimed_until", "last_error", "updated_at"])
        return self.record(MessageEvent.Kind.FAILED, attempt=self.attempts, detail=reason)

    def release_expired_claim(self, *, now: datetime) -> MessageEvent:
        """sending (claim expired) → queued: the worker that held it is gone.

        It may have handed the email to the ESP before it died: this is the one window where a
        customer can get the email twice, and the history says so.
        """
        self._expect(self.Status.SENDING)
        self.status = self.Status.QUEUED
        self.next_attempt_at = now
        self.claimed_until = None
        self.last_error = "The worker stopped during the attempt."
        self.save(
            update_fields=["status", "next_attempt_at", "claimed_until", "last_error", "updated_at"]
        )
        return self.record(
            MessageEvent.Kind.CLAIM_EXPIRED,
            attempt=self.attempts,
            detail="The worker stopped during the attempt (the email may have been sent).",
        )

    def advance_to(self, status: str) -> bool:
        """Move forward only (tracking): returns whether the status changed."""
        if self.RANK[self.status] >= self.RANK[status] or self.RANK[self.status] == 4:
            return False
        self.status = status
        self.claimed_until = None
        self.save(update_fields=["status", "claimed_until", "updated_at"])
        return True

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
        waiting = (
            Message.objects.filter(
                status=Message.Status.QUEUED,
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

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    attempt = models.PositiveSmallIntegerField(null=True, blank=True)
    detail = models.TextField(blank=True)
    size = models.PositiveIntegerField(null=True, blank=True, help_text="Bytes, for attachments.")
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
        ]

    def __str__(self) -> str:
        label = self.get_kind_display()
        return f"{label}: {self.esp_event_type}" if self.esp_event_type else label

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("The message history is append-only.")
        super().save(*args, **kwargs)


class CapturedEmail(models.Model):
    """An email the development capture backend 'sent': what the dev inbox shows.

    Attachments are stored exactly as they would have travelled (already encrypted).
    """

    message_id = models.CharField(max_length=64, unique=True)
    from_email = models.CharField(max_length=320)
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list, blank=True)
    bcc = models.JSONField(default=list, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    text_body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject or self.message_id


class CapturedAttachment(models.Model):
    email = models.ForeignKey(CapturedEmail, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    mimetype = models.CharField(max_length=100)
    content = models.BinaryField()
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename
