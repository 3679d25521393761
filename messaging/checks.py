"""System checks: delivery timings that only work in one order."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.compatibility)
def check_delivery_timings(app_configs, **kwargs):
    """A claim must outlive the task's hard time limit (else a slow but living worker loses it
    and the email goes twice), a retry countdown must stay below the broker's visibility
    timeout (else Redis hands the waiting task to a second worker), and the soft time limit
    must leave room for the longest ESP request and the outcome write after it (else an
    accepted email's outcome can be cut, and the relay sends it again)."""
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
    soft_limit = settings.CELERY_TASK_SOFT_TIME_LIMIT
    needed = esp_timeout_seconds() + settings.MESSAGING_OUTCOME_WRITE_SECONDS
    if soft_limit is not None and soft_limit < needed:
        errors.append(
            Error(
                f"CELERY_TASK_SOFT_TIME_LIMIT ({soft_limit:g} s) is shorter than the ESP "
                f"timeout plus MESSAGING_OUTCOME_WRITE_SECONDS ({needed:g} s).",
                hint="Raise the soft (and hard) time limit, or lower ANYMAIL_REQUESTS_TIMEOUT "
                "or MESSAGING_OUTCOME_WRITE_SECONDS.",
                id="messaging.E003",
            )
        )
    return errors


def esp_timeout_seconds() -> float:
    """The longest an ESP request can take: Anymail's `REQUESTS_TIMEOUT`, a (connect, read)
    pair or one number that requests applies to each."""
    timeout = settings.ANYMAIL.get("REQUESTS_TIMEOUT", 30)
    if isinstance(timeout, list | tuple):
        return float(sum(timeout))
    return 2 * float(timeout)
