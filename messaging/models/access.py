"""Links that let a customer who lost a document password back into their documents.

A link is sent by email on request (messaging/document_access.py) and is stored only as the
SHA-256 of its token: a copy of the database opens nothing. It works once, for a short while.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone

# How long a link works after it was sent, whether or not it has been opened.
LINK_MINUTES = 15


def token_hash(token: str) -> str:
    """What is stored of a link's token. A plain hash suffices: the token is 32 random bytes,
    so there is nothing to guess that a key would protect."""
    return hashlib.sha256(token.encode()).hexdigest()


class DocumentAccessLinkQuerySet(models.QuerySet):
    def for_token(self, token: str) -> DocumentAccessLink | None:
        return self.select_related("event", "event__client").filter(hash=token_hash(token)).first()


class DocumentAccessLink(models.Model):
    """One emailed way back into an event's documents."""

    event = models.ForeignKey(
        "messaging.Event", on_delete=models.CASCADE, related_name="document_access_links"
    )
    hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # When the customer opened it (asked to see the passwords): from then on the link itself
    # no longer works; the browser that opened it keeps its downloads until `expires_at`.
    opened_at = models.DateTimeField(null=True, blank=True)

    objects = DocumentAccessLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Document access link #{self.pk} of event #{self.event_id}"

    @classmethod
    def issue(cls, event, *, now: datetime | None = None) -> tuple[DocumentAccessLink, str]:
        """A new link for `event` and its token (the token exists only in the email)."""
        now = now or timezone.now()
        token = secrets.token_urlsafe(32)
        link = cls.objects.create(
            event=event,
            hash=token_hash(token),
            created_at=now,
            expires_at=now + timedelta(minutes=LINK_MINUTES),
        )
        return link, token

    @staticmethod
    def minutes() -> int:
        return LINK_MINUTES

    def is_expired(self, *, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at

    def open(self, *, now: datetime | None = None) -> bool:
        """Use the link up: True for the one request that opened it (a conditional UPDATE, so
        two requests racing cannot both win), False when it was used or has expired."""
        now = now or timezone.now()
        opened = DocumentAccessLink.objects.filter(
            pk=self.pk, opened_at__isnull=True, expires_at__gt=now
        ).update(opened_at=now)
        if opened:
            self.opened_at = now
        return bool(opened)
