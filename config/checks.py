"""Deployment checks: what `manage.py check --deploy` must refuse before production starts.

They run with `--deploy` only (the deploy gate: docs/operators/deploy.md), so development commands,
`migrate` and cron's `relay_messages` never stop on them, and only with `DEBUG` off: `make run` is
meant to work with no secrets and no broker."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import get_connection

from messaging import webhooks

# DOCUMENT_PASSWORD_KEY and METRICS_TOKEN: at least this long, and a 32-character key of a few
# repeated characters is long and still guessable.
MIN_DOCUMENT_KEY_LENGTH = 32
MIN_DOCUMENT_KEY_DISTINCT = 12
BROKER_SCHEMES = {"redis", "rediss", "amqp", "amqps", "pyamqp", "sentinel"}
# Backends that never reach a customer: development and test tools.
NON_DELIVERING_BACKENDS = (
    "django.core.mail.backends.console.",
    "django.core.mail.backends.locmem.",
    "django.core.mail.backends.filebased.",
    "django.core.mail.backends.dummy.",
    "anymail.backends.test.",
    "anymail.backends.console.",
    "messaging.backends.",
    "inbox.",
)
LOCAL_CACHES = (
    "django.core.cache.backends.locmem.",
    "django.core.cache.backends.dummy.",
)


@register(Tags.security, deploy=True)
def check_webhook_authentication(app_configs, **kwargs):
    """An unauthenticated tracking webhook lets anyone mark customers' emails bounced."""
    esp = webhooks.configured_esp()
    if settings.DEBUG or esp is None:
        return []
    malformed = _malformed_webhook_secrets()
    if malformed:
        return [
            Error(
                f"ANYMAIL_WEBHOOK_SECRET has {malformed} entr{'y' if malformed == 1 else 'ies'} "
                "that are not user:password with both parts set.",
                hint="Use ANYMAIL_WEBHOOK_SECRET=user:long-random-password (old,new while "
                "rotating).",
                id="config.E001",
            )
        ]
    if webhooks.is_authenticated(esp):
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
    if settings.DEBUG:
        return []
    problem = _weakness(key) if key else "is not set"
    if problem is None:
        return []
    return [
        Error(
            f"DOCUMENT_PASSWORD_KEY must be set in production, with at least "
            f"{MIN_DOCUMENT_KEY_LENGTH} characters; it {problem}.",
            hint="Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            ". Keep it: changing it changes every generated document password.",
            id="config.E002",
        )
    ]


@register(Tags.security, deploy=True)
def check_metrics_token(app_configs, **kwargs):
    """`/metrics` is on the public site: its bearer token, when set, is all that keeps the
    shop's order and delivery figures from anyone who guesses it (no lockout counts guesses)."""
    token = settings.METRICS_TOKEN
    if settings.DEBUG or not token or (problem := _weakness(token)) is None:
        return []
    return [
        Error(
            f"METRICS_TOKEN must have at least {MIN_DOCUMENT_KEY_LENGTH} characters, generated "
            f"at random; it {problem}.",
            hint="Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            ", or leave it unset to turn /metrics off.",
            id="config.E006",
        )
    ]


@register(Tags.security, deploy=True)
def check_event_data_keys(app_configs, **kwargs):
    """Events' data (names, addresses, what was bought) is encrypted at rest; a key derived
    from SECRET_KEY would leave the dump and the key in the same hands, and rotating
    SECRET_KEY would make every event unreadable."""
    if settings.DEBUG or settings.EVENT_DATA_KEYS:
        return []
    return [
        Error(
            "EVENT_DATA_KEYS must be set in production: the keys events' data is encrypted with.",
            hint="Generate one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'. Keep every key until "
            "`manage.py rotate_event_data_key` has re-encrypted the rows with its successor.",
            id="config.E007",
        )
    ]


def _weakness(secret: str) -> str | None:
    """What makes `secret` guessable (too short, or a few characters repeated), or None."""
    if len(secret) < MIN_DOCUMENT_KEY_LENGTH:
        return f"is only {len(secret)} characters long"
    if len(set(secret.strip())) < MIN_DOCUMENT_KEY_DISTINCT:
        return "repeats a few characters (it looks typed, not generated)"
    return None


@register(Tags.compatibility, deploy=True)
def check_broker(app_configs, **kwargs):
    """Without a broker, tasks run eagerly: the email would be built and sent inside the
    customer's checkout request, and a slow ESP would hold up the payment page."""
    if settings.DEBUG:
        return []
    if settings.CELERY_BROKER_URL:
        scheme = urlsplit(settings.CELERY_BROKER_URL).scheme
        if scheme in BROKER_SCHEMES:
            return []
        return [
            Error(
                "CELERY_BROKER_URL does not name a broker Sealpost runs on "
                f"({scheme or 'none'!r}).",
                hint="Use redis://host:6379/0 or amqp://user:password@host:5672//.",
                id="config.E003",
            )
        ]
    return [
        Error(
            "CELERY_BROKER_URL is not set: emails would be built and sent inside the "
            "customer's checkout request instead of by Celery workers.",
            hint="Set CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0, and run the workers "
            "and one beat (docs/operators/deploy.md).",
            id="config.E003",
        )
    ]


@register(Tags.compatibility, deploy=True)
def check_email_backend(app_configs, **kwargs):
    """Production must send through a backend that reaches customers, configured well enough
    to start: a missing ESP token would otherwise show up as the first customer's email held."""
    if settings.DEBUG:
        return []
    backend = settings.EMAIL_BACKEND
    if backend.startswith(NON_DELIVERING_BACKENDS):
        return [
            Error(
                f"EMAIL_BACKEND is {backend}, which never delivers to customers.",
                hint="Set EMAIL_BACKEND to an Anymail backend, e.g. "
                "anymail.backends.postmark.EmailBackend, with its ANYMAIL_* token.",
                id="config.E004",
            )
        ]
    try:
        get_connection()
    except (ImproperlyConfigured, ImportError) as exc:
        return [
            Error(
                f"EMAIL_BACKEND {backend} cannot start: {type(exc).__name__}.",
                hint="Set the backend's ANYMAIL_* settings (e.g. ANYMAIL_POSTMARK_SERVER_TOKEN); "
                "see docs/operators/email-providers.md.",
                id="config.E005",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """Rate limits count in the cache: a per-process cache multiplies every limit by the number
    of web processes and forgets it at each restart."""
    limits_on = settings.SHOP_RATE_LIMIT_ENABLED or settings.WEBHOOK_RATE_LIMIT
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or not limits_on or not backend.startswith(LOCAL_CACHES):
        return []
    return [
        Warning(
            "The rate limits count in a per-process cache: each web process allows the full "
            "limit, and a restart forgets it.",
            hint="Set CACHE_URL to a cache every process shares, e.g. redis://127.0.0.1:6379/1.",
            id="config.W001",
        )
    ]


def _malformed_webhook_secrets() -> int:
    secret = settings.ANYMAIL.get("WEBHOOK_SECRET")
    if secret is None:
        return 0
    entries = secret if isinstance(secret, list) else [secret]
    return sum(
        1
        for entry in entries
        if not (isinstance(entry, str) and all(part.strip() for part in entry.partition(":")[::2]))
        or ":" not in entry
    )
