"""API keys: how a client's system authenticates to the HTTP API (docs/integrators/http-api.md)."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

PREFIX = "sp_live_"
# Recording every request's time would be one write per request; a minute is what staff read.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    """HMAC-SHA-256 of a key with the server's SECRET_KEY: a stolen database alone cannot
    test guesses offline, and the key itself is never stored."""
    return salted_hmac("api.ApiKey", key, algorithm="sha256").hexdigest()


def split_key(key: str) -> str | None:
    """The key id of a well-formed key (`sp_live_<id>_<secret>`), else None."""
    if not key.startswith(PREFIX):
        return None
    key_id, _, secret = key.removeprefix(PREFIX).partition("_")
    return key_id if key_id and secret else None


class ApiKeyQuerySet(models.QuerySet):
    def authenticate(self, key: str) -> ApiKey | None:
        """The active key `key` is, or None (unknown, wrong secret, revoked)."""
        key_id = split_key(key)
        if key_id is None:
            return None
        found = self.select_related("client").filter(key_id=key_id, revoked_at=None).first()
        if found is None or not hmac.compare_digest(found.hashed_key, hash_key(key)):
            return None
        return found


class ApiKey(models.Model):
    """One client's key, scoped to event types; stored as a hash, shown once when made."""

    client = models.ForeignKey(
        "messaging.Client", on_delete=models.PROTECT, related_name="api_keys"
    )
    # The visible part (`sp_live_<key_id>`): how staff tell keys apart without the secret.
    key_id = models.CharField(max_length=16, unique=True, editable=False)
    hashed_key = models.CharField(max_length=64, editable=False)
    event_types = models.ManyToManyField(
        "stafftemplates.EventType",
        related_name="+",
        help_text="The event types this key may send.",
    )
    rate_per_minute = models.PositiveIntegerField(
        default=600, help_text="Requests a minute; more get 429 Too Many Requests."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["client__name", "-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.client})"

    @property
    def prefix(self) -> str:
        return f"{PREFIX}{self.key_id}"

    def new_secret(self) -> str:
        """Give this (unsaved) key its id and hash; return the key, which is never stored."""
        self.key_id = secrets.token_hex(4)
        key = f"{self.prefix}_{secrets.token_urlsafe(32)}"
        self.hashed_key = hash_key(key)
        return key

    def allows(self, event_type: str) -> bool:
        return self.event_types.filter(code=event_type).exists()

    def revoke(self) -> None:
        ApiKey.objects.filter(pk=self.pk, revoked_at=None).update(revoked_at=timezone.now())

    def record_use(self) -> None:
        """Note the time of use, at most once a minute (one conditional UPDATE)."""
        now = timezone.now()
        ApiKey.objects.filter(pk=self.pk).filter(
            models.Q(last_used_at=None) | models.Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
