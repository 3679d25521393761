"""What operations remembers: when the relay last ran, and each alert rule's state and history.

No personal data lives here: alert summaries carry counts and ids only.
"""

from django.db import models
from django.utils import timezone


class RelayHeartbeat(models.Model):
    """One row: the last relay sweep (beat or `manage.py relay_messages`), and how many ran.

    A single row updated in place rather than a row per run: the relay runs every minute, and
    the only question asked is "when did it last run?".
    """

    last_run_at = models.DateTimeField()
    runs = models.PositiveBigIntegerField(default=0)
    last_released = models.PositiveIntegerField(default=0)
    last_published = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Relay last ran at {self.last_run_at:%Y-%m-%d %H:%M:%S}"


class AlertState(models.Model):
    """The current state of one alert rule, as the last check left it."""

    rule = models.CharField(max_length=40, unique=True)
    firing = models.BooleanField(default=False)
    # Since when the rule fires (or is ok again); null until it first changed.
    since = models.DateTimeField(null=True, blank=True)
    # The last alert email that went out for the current firing (null: none yet, or it failed).
    last_notified_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True)
    checked_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rule"]

    def __str__(self) -> str:
        return f"{self.rule}: {'firing' if self.firing else 'ok'}"


class AlertEvent(models.Model):
    """One firing, reminder or resolution of a rule, and whether its email went out."""

    class Kind(models.TextChoices):
        FIRING = "firing", "Firing"
        REMINDER = "reminder", "Still firing"
        RESOLVED = "resolved", "Resolved"

    rule = models.CharField(max_length=40)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    summary = models.TextField(blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    email_sent = models.BooleanField(default=False)
    # Why the email did not go out (no recipients, the backend's error class), for the dashboard.
    email_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["-occurred_at"], name="alert_event_time_idx")]

    def __str__(self) -> str:
        return f"{self.rule} {self.kind} at {self.occurred_at:%Y-%m-%d %H:%M}"


class DurationRollup(models.Model):
    """One row: `/metrics`' duration histograms counted over the history up to `through`.

    Counting every timed history line at each scrape grows with the history (1.3 s of SQL at a
    million messages); instead the scrape folds the lines older than a few minutes into this row
    and counts only those after `through` (`operations/durations.py`).
    """

    through = models.DateTimeField()
    # Histogram name → {"bounds": [...], "buckets": [cumulative count per bound], "count", "sum"}.
    tallies = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"Durations counted through {self.through:%Y-%m-%d %H:%M:%S}"
