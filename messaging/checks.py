"""System checks: delivery timings that only work in one order."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.compatibility)
def check_delivery_timings(app_configs, **kwargs):
    """A claim must outlive the task's hard time limit (else a slow but living worker loses it
    and the email goes twice), and a retry countdown must stay below the broker's visibility
    timeout (else Redis hands the waiting task to a second worker)."""
    errors = []
    if settings.MESSAGING_CLAIM_SECONDS <= settings.CELERY_TASK_TIME_LIMIT:
        errors.append(
            Error(
                "MESSAGING_CLAIM_SECONDS must be greater than CELERY_TASK_TIME_LIMIT.",
                id="messaging.E001",
            )
        )
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    if visibility <= settings.MESSAGING_MAX_COUNTDOWN + settings.CELERY_TASK_TIME_LIMIT:
        errors.append(
            Error(
                "MESSAGING_MAX_COUNTDOWN plus CELERY_TASK_TIME_LIMIT must stay below the "
                "broker's visibility_timeout.",
                id="messaging.E002",
            )
        )
    return errors
