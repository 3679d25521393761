"""The alert rules' thresholds, read from settings once per check (tests change settings)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class AlertSettings:
    queue_age_minutes: int
    failure_ratio: float
    window_minutes: int
    min_sample: int
    no_acceptance_minutes: int
    bounce_ratio: float
    bounce_window_minutes: int
    relay_missed_runs: int
    relay_interval_seconds: float
    repeat_minutes: int
    # No broker: tasks run in-process and no relay is scheduled (the `make run` default).
    tasks_in_process: bool

    @classmethod
    def from_settings(cls) -> AlertSettings:
        return cls(
            queue_age_minutes=settings.ALERT_QUEUE_AGE_MINUTES,
            failure_ratio=settings.ALERT_FAILURE_RATIO,
            window_minutes=settings.ALERT_WINDOW_MINUTES,
            min_sample=settings.ALERT_MIN_SAMPLE,
            no_acceptance_minutes=settings.ALERT_NO_ACCEPTANCE_MINUTES,
            bounce_ratio=settings.ALERT_BOUNCE_RATIO,
            bounce_window_minutes=settings.ALERT_BOUNCE_WINDOW_MINUTES,
            relay_missed_runs=settings.ALERT_RELAY_MISSED_RUNS,
            relay_interval_seconds=settings.MESSAGING_RELAY_INTERVAL_SECONDS,
            repeat_minutes=settings.ALERT_REPEAT_MINUTES,
            tasks_in_process=bool(settings.CELERY_TASK_ALWAYS_EAGER),
        )
