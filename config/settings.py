"""Sealpost settings: one file, every deployment difference comes from the environment.

See docs/operators/settings.md for the variables. Nothing secret has a default here:
`SECRET_KEY` is required unless `DEBUG` is on.
"""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from config.connections import conn_max_age

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-insecure-key"  # noqa: S105 - only ever used with DEBUG on

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "anymail",
    "axes",
    "config",  # the deployment checks (config/checks.py)
    "stafftemplates",
    "shop",
    "attachments",
    "messaging",
    "api",  # the HTTP API under /api/v1/ (docs/integrators/http-api.md)
    "ninja",  # its interactive reference page's static files
    # The dev inbox (capture backend, /dev/inbox/): a production deployment may leave it out
    # with INSTALL_DEV_INBOX=false, once EMAIL_BACKEND names its ESP.
    *(["inbox"] if env.bool("INSTALL_DEV_INBOX", default=True) else []),
    "demo",  # Nordic Goods: the demo catalog, templates and `seed_demo`
    "operations",  # delivery health, alerts, metrics, retention (docs/operators/monitoring.md)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything queries or records the request (config/nul_bytes.py).
    "config.nul_bytes.ReplaceNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before CommonMiddleware (Django's order): the language from the
    # switcher's cookie, else the browser's Accept-Language, else LANGUAGE_CODE.
    "django.middleware.locale.LocaleMiddleware",
    # The back office is English whatever the browser asks (ADMIN_LANGUAGE_CODE below).
    "config.admin_language.AdminLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Above XFrameOptionsMiddleware: it reads the X-Frame-Options that one sets.
    "config.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shop.context_processors.cart",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Keep connections between requests and tasks: a new PostgreSQL connection costs ~3 ms here,
# about 5% of a delivery. Django checks a reused connection before it serves again. Only where
# the server reuses its threads (gunicorn, Celery workers); 0 under runserver and ASGI, which
# would keep one per request thread or task: see config/connections.py.
PERSISTENT_CONN_MAX_AGE = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"].setdefault("CONN_MAX_AGE", conn_max_age(PERSISTENT_CONN_MAX_AGE))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # libpq waits for a connection forever by default: a frozen database server would hold every
    # request and `/healthz` with it. Seconds; the probe's own query has a shorter bound.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Admin login lockout (config/lockout.py): a username is locked, from the address that guessed,
# after this many wrong passwords, for this long. Behind a proxy the address is the proxy's, so
# the lock then holds for that username from everywhere. The test suite turns it off
# (pyproject.toml) unless a test turns it on.
AUTHENTICATION_BACKENDS = [
    "config.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("ADMIN_LOGIN_LOCKOUT", default=True)
AXES_FAILURE_LIMIT = env.int("ADMIN_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ADMIN_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Quiet: no "AXES: BEGIN" banner on every management command, and lockout log lines name only
# what the lock counts (username and address), not every request attribute.
AXES_VERBOSE = False
AXES_RESET_ON_SUCCESS = True
# Never read a client-supplied X-Forwarded-For: a guesser would send a new address each time.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The shop's languages (docs/staff/languages.md). LANGUAGE_CODE is the default: what a visitor
# without a choice or a matching browser gets, and what any missing translation (catalog text,
# a staff template) falls back to. Adding a language: add it here, then `makemessages`.
LANGUAGES = [("sv", "Swedish"), ("en", "English")]
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="sv")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}.")
# The back office's language (config/admin_language.py): its own words are English only, so
# Django's admin words follow; "" lets each staff member's browser choose.
ADMIN_LANGUAGE_CODE = env.str("ADMIN_LANGUAGE_CODE", default="en")
if ADMIN_LANGUAGE_CODE and ADMIN_LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"ADMIN_LANGUAGE_CODE must be empty or one of {', '.join(dict(LANGUAGES))}."
    )
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Stockholm")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))

SESSION_COOKIE_HTTPONLY = True
# A session holding checkout details (name, address, phone) expires after this many minutes
# idle, instead of SESSION_COOKIE_AGE's two weeks; beat deletes expired sessions hourly.
CHECKOUT_SESSION_MINUTES = env.int("CHECKOUT_SESSION_MINUTES", default=60)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# The language switcher's cookie (no script reads it): as careful as the session's.
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# HSTS: off until the operator sets SECURE_HSTS_SECONDS (a browser remembers it for that long,
# so it is switched on knowingly, once HTTPS works). Subdomains and preload follow Django's
# advice by default; turning one off explicitly is a decision, so its deploy warning is
# silenced below.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
# Trust X-Forwarded-Proto (or the named header) only behind a proxy that sets it: with
# gunicorn exposed directly, any client could send it and pass as HTTPS.
_proxy_ssl_header = env.str("SECURE_PROXY_SSL_HEADER", default="")
SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https") if _proxy_ssl_header else None
SECURE_CONTENT_TYPE_NOSNIFF = True
# No page may be framed by another site, nor by ours: only the admin previews that our own
# preview pages embed say SAMEORIGIN themselves (xframe_options_sameorigin).
X_FRAME_OPTIONS = "DENY"
# Content Security Policy of every HTML page (config/csp.py): scripts, styles, images and
# frames from our own origin only; style attributes stay allowed, as the admin previews and the
# confirmation page's password card use them (they cannot run code).
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "frame-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
}
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]

# --- Cache: rate-limit counts live here; production shares one (CACHE_URL=redis://...) -----
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"].endswith(".RedisCache"):
    # A frozen Redis (accepting connections, answering nothing) held each rate-limited form for
    # redis-py's default 5 s per call; a count that fails is skipped (shop/ratelimit.py), so
    # give up quickly. Timeouts in CACHE_URL's query string (`?socket_timeout=2`) win.
    _cache_options = CACHES["default"].setdefault("OPTIONS", {})
    _cache_options.setdefault("socket_connect_timeout", 1.0)
    _cache_options.setdefault("socket_timeout", 0.5)

# --- Shop -----------------------------------------------------------------------------------
SHOP_NAME = env.str("SHOP_NAME", default="Nordic Goods")
# Where customers find the shop, as emails and documents name it (`{{ shop.url }}`); `make run`
# sets it to the port it serves on.
SHOP_URL = env.str("SHOP_URL", default="http://127.0.0.1:8000/")
SHOP_CURRENCY = env.str("SHOP_CURRENCY", default="SEK")
# The seller as the receipt PDF names it, and the VAT rate (percent) included in the prices:
# the PDF shows the VAT amount in the total, computed with this rate (shop.documents).
SHOP_VAT_RATE = Decimal(env.str("SHOP_VAT_RATE", default="25"))
SHOP_LEGAL_NAME = env.str("SHOP_LEGAL_NAME", default="Nordic Goods AB")
# The address without its country: the country is a code (shop/countries.py), named in each
# document's language ("Sweden", "Sverige").
SHOP_ADDRESS = env.str("SHOP_ADDRESS", default="Storgatan 1, 831 30 Östersund")
SHOP_COUNTRY = env.str("SHOP_COUNTRY", default="SE")
SHOP_ORG_NUMBER = env.str("SHOP_ORG_NUMBER", default="559000-0000")
SHOP_VAT_NUMBER = env.str("SHOP_VAT_NUMBER", default="SE559000000001")
# Receipt numbers run in a gapless series per calendar year: "<prefix>-2026-000123"
# (shop/receipts.py). Change the prefix only at a year's start: numbers already given stay.
SHOP_RECEIPT_PREFIX = env.str("SHOP_RECEIPT_PREFIX", default="NG")
# How long the confirmation page shows the document password, email and address after the
# order was placed; afterwards support reveals the password (admin, audited).
CONFIRMATION_PASSWORD_MINUTES = env.int("CONFIRMATION_PASSWORD_MINUTES", default=30)
# Abuse limits. A cart line costs a few queries on every cart, checkout and payment page:
# 50 lines ~0.1 s, 2,000 lines ~5 s. The line quantity can be lowered, never raised above 99.
SHOP_MAX_CART_LINES = env.int("SHOP_MAX_CART_LINES", default=50)
SHOP_MAX_LINE_QUANTITY = env.int("SHOP_MAX_LINE_QUANTITY", default=99)
# POSTs per session and per client address ("10/m", "30/h"...); the tests turn this off.
SHOP_RATE_LIMIT_ENABLED = env.bool("SHOP_RATE_LIMIT_ENABLED", default=True)
SHOP_RATE_LIMITS = {
    action: tuple(env.list(f"SHOP_RATE_LIMIT_{action.upper()}", default=default))
    for action, default in [
        ("add_to_cart", ["30/m", "120/m"]),
        ("checkout", ["20/m", "60/m"]),
        ("payment", ["10/h", "60/h"]),  # declined cards: slows down card testing
    ]
}
# A cache every web process shares, or each process counts on its own (see shop.ratelimit).
SHOP_RATE_LIMIT_CACHE = env.str("SHOP_RATE_LIMIT_CACHE", default="default")
# Behind a proxy, the request.META key holding the client's address (e.g. HTTP_X_REAL_IP);
# only a header the proxy always overwrites, or clients choose their own address.
SHOP_CLIENT_IP_HEADER = env.str("SHOP_CLIENT_IP_HEADER", default="REMOTE_ADDR")

# --- Email ----------------------------------------------------------------------------------
# Development default: a capture backend that keeps each message for the dev inbox.
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="inbox.backends.CaptureEmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Nordic Goods <orders@example.com>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# Every ANYMAIL_<NAME> environment variable becomes ANYMAIL["<NAME>"], so any ESP is configured
# without touching code (ANYMAIL_POSTMARK_SERVER_TOKEN, ANYMAIL_POSTMARK_API_URL, ...).
ANYMAIL = {
    # "true"/"false" become booleans (IGNORE_RECIPIENT_STATUS, DEBUG_API_REQUESTS...): a
    # non-empty string would otherwise always read as true.
    name.removeprefix("ANYMAIL_"): {"true": True, "false": False}.get(value.lower(), value)
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_") and len(name) > len("ANYMAIL_")
}
ANYMAIL.setdefault("REQUESTS_TIMEOUT", (3.05, 20))
if isinstance(ANYMAIL["REQUESTS_TIMEOUT"], str):
    ANYMAIL["REQUESTS_TIMEOUT"] = float(ANYMAIL["REQUESTS_TIMEOUT"])
if "WEBHOOK_SECRET" in ANYMAIL and "," in ANYMAIL["WEBHOOK_SECRET"]:
    ANYMAIL["WEBHOOK_SECRET"] = ANYMAIL["WEBHOOK_SECRET"].split(",")  # rotation: old,new

DEV_INBOX = env.bool("DEV_INBOX", default=DEBUG)
# Without DEBUG, the dev inbox asks staff for this permission: captured emails hold customers'
# addresses, as messages do.
DEV_INBOX_PERMISSION = "messaging.view_message"
# Tracking webhook requests a minute per client IP before a 429 (0: no limit). ESPs send one
# request per event, so this stays well above a busy shop's event rate.
WEBHOOK_RATE_LIMIT = env.int("WEBHOOK_RATE_LIMIT", default=600)

# --- Events ---------------------------------------------------------------------------------
# Fernet keys that encrypt events' data at rest, comma-separated: the first encrypts, all
# decrypt (rotation: put the new key first, run `manage.py rotate_event_data_key`, then drop
# the old one). Empty: derived from SECRET_KEY, which the production deploy check refuses.
EVENT_DATA_KEYS = env.list("EVENT_DATA_KEYS", default=[])

# --- Documents ------------------------------------------------------------------------------
DOCUMENT_PASSWORD_KEY = env.str("DOCUMENT_PASSWORD_KEY", default="")
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# Bounds on drawing one document with xhtml2pdf: a deadline (attachments/drawing_deadline.py)
# and a budget checked on the rendered HTML before drawing starts (attachments/drawing_budget.py).
ATTACHMENT_DRAW_SECONDS = env.float("ATTACHMENT_DRAW_SECONDS", default=5.0)
ATTACHMENT_MAX_NESTING = env.int("ATTACHMENT_MAX_NESTING", default=60)
ATTACHMENT_MAX_ELEMENTS = env.int("ATTACHMENT_MAX_ELEMENTS", default=10_000)
ATTACHMENT_MAX_PAGES = env.int("ATTACHMENT_MAX_PAGES", default=200)
# Staff previews one staff member may have drawing at once (each holds a web worker while it
# waits for its child process); 0 for no limit.
STAFF_PREVIEW_CONCURRENCY = env.int("STAFF_PREVIEW_CONCURRENCY", default=2)
# Who may read a customer's document password (support, the admin reveal and previews): the
# project wires the shop's permission here, so `attachments` names no other app.
DOCUMENT_PASSWORD_REVEAL_PERMISSION = "shop.view_document_password"  # noqa: S105 - a permission

# --- Staff templates ------------------------------------------------------------------------
# The project's wiring of the template apps to its orders, so `stafftemplates` and
# `attachments` never import `shop` (docs/developers/architecture.md, "Import contracts"): two
# callables returning (context, token) — the sample order that saves are tried on and previews draw,
# written in the preview's language (without it, previews draw the event type's example),
# and a real order by number (None when there is none) — and the permission that lets staff
# preview a real order (it shows the customer's data).
STAFF_TEMPLATE_SAMPLE = "shop.documents.sample_document"
# `shop` and `seller` as every template names them, in the message's language (the country
# named in it); without it, from the SHOP_* settings as they are (stafftemplates/contexts.py).
STAFF_TEMPLATE_SHOP_VALUES = "shop.documents.shop_values"
STAFF_TEMPLATE_ORDER_LOOKUP = "shop.documents.find_document"
# `{{ event.documents_help_url }}`: the *Can't open your PDF?* page (messaging/document_access.py).
STAFF_TEMPLATE_DOCUMENTS_HELP_URL = "messaging.document_access.help_url"
PREVIEW_ORDER_PERMISSION = "shop.view_order"
# Bounds on every render of a staff-written template (stafftemplates/limits.py).
STAFF_TEMPLATE_TIME_LIMIT = env.float("STAFF_TEMPLATE_TIME_LIMIT", default=2.0)
STAFF_TEMPLATE_MAX_OUTPUT = env.int("STAFF_TEMPLATE_MAX_OUTPUT", default=1_000_000)
# Proofs go only to active staff users' addresses and to addresses at these domains.
PROOF_ALLOWED_DOMAINS = env.list("PROOF_ALLOWED_DOMAINS", default=[])
# The hosts an email's links, images and stylesheets may point at (http/https): by default the
# shop's own. Documents never fetch anything remote, whatever this says.
EMAIL_ALLOWED_URL_HOSTS = env.list(
    "EMAIL_ALLOWED_URL_HOSTS", default=[host for host in ALLOWED_HOSTS if host != "*"]
)

# This site's address as links in emails name it (the lost-password pages, /documents/); empty:
# SHOP_URL, since the demo serves the shop from the same process.
MESSAGING_PUBLIC_URL = env.str("MESSAGING_PUBLIC_URL", default="")
# How often the lost-password form may be sent: per email address, per client address.
DOCUMENT_ACCESS_RATE_LIMITS = tuple(
    env.list("DOCUMENT_ACCESS_RATE_LIMITS", default=["5/h", "30/h"])
)
DOCUMENT_ACCESS_RATE_LIMIT_CACHE = env.str(
    "DOCUMENT_ACCESS_RATE_LIMIT_CACHE", default=SHOP_RATE_LIMIT_CACHE
)
DOCUMENT_ACCESS_CLIENT_IP_HEADER = env.str(
    "DOCUMENT_ACCESS_CLIENT_IP_HEADER", default=SHOP_CLIENT_IP_HEADER
)

# --- Celery ---------------------------------------------------------------------------------
# Without a broker, tasks run eagerly in-process (the `make run` default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# At-least-once delivery: a task is acknowledged only once it finished, a worker that dies
# hands its task back, and a worker reserves one task at a time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=150)
# Redis re-delivers an unacknowledged task after the visibility timeout: keep it well above
# the task time limit and the longest retry countdown, or tasks would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Never let a checkout hang on a broker that is down: fail the publish fast, the outbox
# row stays queued and the relay sends it later.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=1.0)
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# kombu's Redis transport ignores CELERY_BROKER_CONNECTION_TIMEOUT and waits forever by default:
# bound the connect and every socket read. A frozen broker (accepting connections, answering
# nothing) costs a publish up to three socket timeouts (the read, the retry's reconnect, its
# read): with 0.5 s, at most 1.5 s of a customer's checkout, then the relay takes over.
CELERY_BROKER_TRANSPORT_OPTIONS.update(
    socket_connect_timeout=CELERY_BROKER_CONNECTION_TIMEOUT,
    socket_timeout=env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=0.5),
)
# Workers wait on the broker for work (BRPOP, 1 s at a time): they get a longer socket timeout
# when they start (config/celery.py), so an idle wait never looks like a dead broker.
CELERY_WORKER_BROKER_SOCKET_TIMEOUT = env.float("CELERY_WORKER_BROKER_SOCKET_TIMEOUT", default=2.0)
# Celery's Django fix-up closes the database connection around every task unless this is set;
# with it, a worker closes it every 500 tasks and otherwise applies CONN_MAX_AGE and the health
# check before each task, as Django does per request (see config/celery.py).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=500)
# A dedicated queue name lets several deployments (or test runs) share one broker.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# The relay is the safety net for deliveries the queue lost: it gets a queue of its own, so a
# backlog of deliveries never delays it past its expiry. Workers consume both by default.
MESSAGING_RELAY_QUEUE = env.str(
    "MESSAGING_RELAY_QUEUE", default=f"{CELERY_TASK_DEFAULT_QUEUE}.relay"
)
# Proofs (staff checking drafts) get a queue of their own, so a burst of them, or one slow to
# draw, never waits in front of a customer's confirmation. Workers consume all three by default;
# a deployment can give proofs a worker of their own (docs/operators/deploy.md, "Queues").
MESSAGING_PROOF_QUEUE = env.str(
    "MESSAGING_PROOF_QUEUE", default=f"{CELERY_TASK_DEFAULT_QUEUE}.proofs"
)
CELERY_TASK_QUEUES = (
    Queue(CELERY_TASK_DEFAULT_QUEUE),
    Queue(MESSAGING_RELAY_QUEUE),
    Queue(MESSAGING_PROOF_QUEUE),
)
CELERY_TASK_ROUTES = {"messaging.relay_due_messages": {"queue": MESSAGING_RELAY_QUEUE}}

# --- Messaging (delivery engine) ------------------------------------------------------------
MESSAGING_MAX_ATTEMPTS = env.int("MESSAGING_MAX_ATTEMPTS", default=8)
# Backoff: ~30 s, 1 min, 2 min, 4 min… capped at 30 min, with jitter (about 1 h in all).
MESSAGING_RETRY_BASE_SECONDS = env.float("MESSAGING_RETRY_BASE_SECONDS", default=30.0)
MESSAGING_RETRY_MAX_SECONDS = env.float("MESSAGING_RETRY_MAX_SECONDS", default=1800.0)
# The longest countdown handed to the broker (below the visibility timeout, see checks).
MESSAGING_MAX_COUNTDOWN = env.float("MESSAGING_MAX_COUNTDOWN", default=900.0)
# How long a worker owns a claimed message: longer than the task's hard time limit.
MESSAGING_CLAIM_SECONDS = env.int("MESSAGING_CLAIM_SECONDS", default=300)
# How many due messages one delivery task claims and sends when a backlog waits (1: one each);
# a single order is always sent alone, at once (docs/architecture.md, "Batched delivery").
MESSAGING_BATCH_SIZE = env.int("MESSAGING_BATCH_SIZE", default=10)
# How long a worker keeps trying to record an outcome while the database is unreachable
# (failover, pooler restart) before it gives up and logs the ESP's message id.
MESSAGING_OUTCOME_WRITE_SECONDS = env.float("MESSAGING_OUTCOME_WRITE_SECONDS", default=30.0)
# While the ESP refuses our credentials (401/403, a misconfigured backend) messages stay queued,
# not charged an attempt, and each is tried again after about this long.
MESSAGING_SENDER_RETRY_SECONDS = env.float("MESSAGING_SENDER_RETRY_SECONDS", default=300.0)
# A resend of an order whose latest message is a resend younger than this (and not failed or
# bounced) is skipped unless forced: two operators, two runs or a double click resend once.
MESSAGING_RESEND_COOLDOWN_SECONDS = env.int("MESSAGING_RESEND_COOLDOWN_SECONDS", default=600)
# Customer emails one address may receive in 24 hours (0: no limit); staff resends and proofs
# do not count. Above it the message is kept as failed, with the reason, for staff to resend.
MESSAGING_RECIPIENT_DAILY_LIMIT = env.int("MESSAGING_RECIPIENT_DAILY_LIMIT", default=20)
# Proofs one staff member may send within the window (0: no limit): each holds a worker
# process while its documents are drawn.
MESSAGING_PROOF_LIMIT = env.int("MESSAGING_PROOF_LIMIT", default=10)
MESSAGING_PROOF_WINDOW_MINUTES = env.int("MESSAGING_PROOF_WINDOW_MINUTES", default=60)
# A queued row due for longer than this was lost in transit: the relay publishes it again.
MESSAGING_RELAY_GRACE_SECONDS = env.int("MESSAGING_RELAY_GRACE_SECONDS", default=120)
MESSAGING_RELAY_INTERVAL_SECONDS = env.float("MESSAGING_RELAY_INTERVAL_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE = {
    "relay-due-messages": {
        "task": "messaging.relay_due_messages",
        "schedule": MESSAGING_RELAY_INTERVAL_SECONDS,
        # A sweep that could not run in time is replaced by the next one, not queued up.
        "options": {"expires": MESSAGING_RELAY_INTERVAL_SECONDS},
    },
}

# --- Operations: delivery health, alerts, metrics, retention (docs/operators/monitoring.md) ---
# Alert rules, checked by beat every ALERT_CHECK_SECONDS and by `manage.py check_delivery_health`.
ALERT_QUEUE_AGE_MINUTES = env.int("ALERT_QUEUE_AGE_MINUTES", default=15)
ALERT_FAILURE_RATIO = env.float("ALERT_FAILURE_RATIO", default=0.2)
ALERT_WINDOW_MINUTES = env.int("ALERT_WINDOW_MINUTES", default=60)
# Fewer outcomes (or tracking events) than this in a window never fire a ratio rule: two
# failures out of three orders at night are not an incident.
ALERT_MIN_SAMPLE = env.int("ALERT_MIN_SAMPLE", default=10)
ALERT_NO_ACCEPTANCE_MINUTES = env.int("ALERT_NO_ACCEPTANCE_MINUTES", default=30)
ALERT_BOUNCE_RATIO = env.float("ALERT_BOUNCE_RATIO", default=0.1)
# Bounces arrive hours after the send: the bounce ratio looks at a day of tracking events.
ALERT_BOUNCE_WINDOW_MINUTES = env.int("ALERT_BOUNCE_WINDOW_MINUTES", default=1440)
ALERT_RELAY_MISSED_RUNS = env.int("ALERT_RELAY_MISSED_RUNS", default=5)
ALERT_REPEAT_MINUTES = env.int("ALERT_REPEAT_MINUTES", default=60)
ALERT_CHECK_SECONDS = env.float("ALERT_CHECK_SECONDS", default=60.0)
MESSAGING_ALERT_EMAILS = env.list("MESSAGING_ALERT_EMAILS", default=[])
# Alerts never go through EMAIL_BACKEND: when the ESP refuses us, the alert about it must still
# leave. SMTP (EMAIL_HOST, EMAIL_PORT...) in production, the console with DEBUG.
ALERT_EMAIL_BACKEND = env.str(
    "ALERT_EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
ALERT_EMAIL_TIMEOUT = env.float("ALERT_EMAIL_TIMEOUT", default=10.0)
# /metrics answers 404 unless this is set; scrapers send `Authorization: Bearer <token>`.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Messages older than this lose their recipient address and history details (purge_messages).
MESSAGING_RETENTION_DAYS = env.int("MESSAGING_RETENTION_DAYS", default=180)
DEV_INBOX_KEEP = env.int("DEV_INBOX_KEEP", default=200)
# The books (docs/operators/bookkeeping.md): erasure keeps a receipt's accounting fields, and
# purge_messages deletes them once this many calendar years have passed after the calendar
# year in which their financial year ended (bokföringslagen 7 kap. 2 §: seven); the financial
# year ends with this month (12: the calendar year).
BOOKKEEPING_YEARS = env.int("BOOKKEEPING_YEARS", default=7)
BOOKKEEPING_YEAR_END_MONTH = env.int("BOOKKEEPING_YEAR_END_MONTH", default=12)
if not 1 <= BOOKKEEPING_YEAR_END_MONTH <= 12:
    raise ImproperlyConfigured("BOOKKEEPING_YEAR_END_MONTH must be a month, 1 to 12.")
if BOOKKEEPING_YEARS < 0:
    raise ImproperlyConfigured("BOOKKEEPING_YEARS must be 0 or more.")
# The project's own records of a person, which erasure and retention reach through these
# classes (operations/records.py): `operations` imports neither the shop nor the demo.
RETENTION_RECORDS = ["demo.retention.ShopRecords"]
CELERY_BEAT_SCHEDULE.update(
    {
        "check-delivery-health": {
            "task": "operations.check_delivery_health",
            "schedule": ALERT_CHECK_SECONDS,
            "options": {"expires": ALERT_CHECK_SECONDS},
        },
        "purge-messages": {
            "task": "operations.purge_messages",
            "schedule": crontab(hour=3, minute=17),
            "options": {"expires": 3600},
        },
        # Django deletes no expired session by itself: checkouts left half-way would stay.
        "clear-expired-sessions": {
            "task": "operations.clear_expired_sessions",
            "schedule": crontab(minute=41),
            "options": {"expires": 3600},
        },
    }
)
# The health check shares the relay's queue: a delivery backlog must not delay the alert about
# it. The purge stays on the default queue, where a long first run delays nothing urgent.
CELERY_TASK_ROUTES["operations.check_delivery_health"] = {"queue": MESSAGING_RELAY_QUEUE}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # xhtml2pdf and ReportLab are chatty, and xhtml2pdf's warnings quote the document
        # being drawn (personal data): errors only.
        "xhtml2pdf": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
    },
}
