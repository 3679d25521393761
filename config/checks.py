"""Deployment checks: what `manage.py check --deploy` must refuse before production starts.

They run with `--deploy` only (README's production gate), so development commands, `migrate`
and cron's `relay_messages` never stop on them, and only with `DEBUG` off: `make run` is meant
to work with no secrets and no broker.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register

from messaging import webhooks

MIN_DOCUMENT_KEY_LENGTH = 32


@register(Tags.security, deploy=True)
def check_webhook_authentication(app_configs, **kwargs):
    """An unauthenticated tracking webhook lets anyone mark customers' emails bounced."""
    esp = webhooks.configured_esp()
    if settings.DEBUG or esp is None or webhooks.is_authenticated(esp):
        return []
    return [
        Error(
            f"The ESP tracking webhook at {webhooks.tracking_url(esp)} has no authentication: "
            "anyone could post forged delivery and bounce events.",
            hint="Set ANYMAIL_WEBHOOK_SECRET=user:long-random-password and give the ESP "
            "https://user:long-random-password@your-host"
            + webhooks.tracking_url(esp)
            + " (or the ESP's webhook signing key, e.g. ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY).",
            id="config.E001",
        )
    ]


@register(Tags.security, deploy=True)
def check_document_password_key(app_configs, **kwargs):
    """Without its own key, generated document passwords derive from SECRET_KEY: rotating that
    would change every customer's password; a short key is guessable offline."""
    key = settings.DOCUMENT_PASSWORD_KEY
    if settings.DEBUG or len(key) >= MIN_DOCUMENT_KEY_LENGTH:
        return []
    problem = "is not set" if not key else f"is only {len(key)} characters long"
    return [
        Error(
            f"DOCUMENT_PASSWORD_KEY must be set in production, with at least "
            f"{MIN_DOCUMENT_KEY_LENGTH} characters; it {problem}.",
            hint="Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            ". Keep it: changing it changes every generated document password.",
            id="config.E002",
        )
    ]


@register(Tags.compatibility, deploy=True)
def check_broker(app_configs, **kwargs):
    """Without a broker, tasks run eagerly: the email would be built and sent inside the
    customer's checkout request, and a slow ESP would hold up the payment page."""
    if settings.DEBUG or settings.CELERY_BROKER_URL:
        return []
    return [
        Error(
            "CELERY_BROKER_URL is not set: emails would be built and sent inside the "
            "customer's checkout request instead of by Celery workers.",
            hint="Set CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0, and run the workers "
            "and one beat (README, Running in production).",
            id="config.E003",
        )
    ]
