"""Settings of a project that installs the message center and nothing of the demo shop.

Written as an integrator writes theirs (docs/integrators/use-from-your-shop.md): Django's own
settings, the apps, and every setting the apps read, with the values `config/settings.py`
defaults to. It imports nothing from `config`, `shop` or `demo`.
"""

import os
from pathlib import Path

import environ

env = environ.Env()

BASE_DIR = Path(__file__).resolve().parent
DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "anymail",
    # The message center, in dependency order.
    "stafftemplates",
    "attachments",
    "messaging",
    "api",
    "ninja",  # the API reference page's static files
    "inbox",  # optional: the development mail catcher
    "operations",  # optional: delivery health, alerts, /metrics, retention
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tests.standalone.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The suite's database (SQLite unless DATABASE_URL names another, as in CI's PostgreSQL pass).
DATABASES = {"default": env.db("DATABASE_URL", default="sqlite:///:memory:")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGES = [("sv", "Swedish"), ("en", "English")]
LANGUAGE_CODE = "en"
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"

# --- email ------------------------------------------------------------------------------------
EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
DEFAULT_FROM_EMAIL = "Tickets <tickets@example.com>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ANYMAIL = {"REQUESTS_TIMEOUT": (3.05, 20)}
EMAIL_ALLOWED_URL_HOSTS = ["example.com"]

# --- Celery: tasks run in-process here; a real project names its broker -----------------------
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 150
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}

# --- who sends: the values every template names as `shop` and `seller` ------------------------
SHOP_NAME = "Hall Tickets"
SHOP_LEGAL_NAME = "Hall Tickets AB"
SHOP_ADDRESS = "Konserthusgatan 1, 111 57 Stockholm"
SHOP_COUNTRY = "SE"
SHOP_ORG_NUMBER = "556000-0000"
SHOP_VAT_NUMBER = "SE556000000001"
SHOP_URL = "https://example.com/"

# --- events and documents ---------------------------------------------------------------------
EVENT_DATA_KEYS: list[str] = []  # the event data is stored with a key derived from SECRET_KEY
DOCUMENT_PASSWORD_KEY = os.environ["DOCUMENT_PASSWORD_KEY"]
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_DRAW_SECONDS = 5.0
ATTACHMENT_MAX_NESTING = 60
ATTACHMENT_MAX_ELEMENTS = 10_000
ATTACHMENT_MAX_PAGES = 200
STAFF_PREVIEW_CONCURRENCY = 2
STAFF_TEMPLATE_TIME_LIMIT = 2.0
STAFF_TEMPLATE_MAX_OUTPUT = 1_000_000
# No project wiring (STAFF_TEMPLATE_SAMPLE and friends): previews and checks on save use each
# event type's example. The permissions name the message center's own.
PREVIEW_ORDER_PERMISSION = "messaging.view_event"
DOCUMENT_PASSWORD_REVEAL_PERMISSION = "messaging.change_event"
PROOF_ALLOWED_DOMAINS: list[str] = []

# --- delivery ---------------------------------------------------------------------------------
MESSAGING_MAX_ATTEMPTS = 8
MESSAGING_CLAIM_SECONDS = 300
MESSAGING_MAX_COUNTDOWN = 900.0
MESSAGING_OUTCOME_WRITE_SECONDS = 30.0
MESSAGING_RETRY_BASE_SECONDS = 30.0
MESSAGING_RETRY_MAX_SECONDS = 1800.0
MESSAGING_SENDER_RETRY_SECONDS = 300.0
MESSAGING_RELAY_INTERVAL_SECONDS = 60.0
MESSAGING_RELAY_GRACE_SECONDS = 120
MESSAGING_PROOF_QUEUE = "celery.proofs"
MESSAGING_PROOF_LIMIT = 10
MESSAGING_PROOF_WINDOW_MINUTES = 60
MESSAGING_RECIPIENT_DAILY_LIMIT = 20
MESSAGING_RESEND_COOLDOWN_SECONDS = 600
MESSAGING_RETENTION_DAYS = 180
# Kept records of erased recipients go after the bookkeeping period (docs/operators/bookkeeping.md);
# this project has no records of its own to erase beside the message center's.
BOOKKEEPING_YEARS = 7
BOOKKEEPING_YEAR_END_MONTH = 12
RETENTION_RECORDS: list[str] = []
WEBHOOK_RATE_LIMIT = 600
# Batched delivery (docs/developers/architecture.md, "Batched delivery").
MESSAGING_BATCH_SIZE = 10
# The lost-password pages (docs/integrators/documents.md): templates name them as
# {{ event.documents_help_url }}.
STAFF_TEMPLATE_DOCUMENTS_HELP_URL = "messaging.document_access.help_url"
MESSAGING_PUBLIC_URL = ""
DOCUMENT_ACCESS_RATE_LIMITS = ("5/h", "30/h")
DOCUMENT_ACCESS_RATE_LIMIT_CACHE = "default"
DOCUMENT_ACCESS_CLIENT_IP_HEADER = "REMOTE_ADDR"

# --- operations -------------------------------------------------------------------------------
MESSAGING_ALERT_EMAILS: list[str] = []
ALERT_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
ALERT_EMAIL_TIMEOUT = 10.0
ALERT_WINDOW_MINUTES = 60
ALERT_REPEAT_MINUTES = 60
ALERT_MIN_SAMPLE = 10
ALERT_FAILURE_RATIO = 0.2
ALERT_BOUNCE_RATIO = 0.1
ALERT_BOUNCE_WINDOW_MINUTES = 1440
ALERT_NO_ACCEPTANCE_MINUTES = 30
ALERT_QUEUE_AGE_MINUTES = 15
ALERT_RELAY_MISSED_RUNS = 5
METRICS_TOKEN = ""

# --- the dev inbox (off unless asked) ---------------------------------------------------------
DEV_INBOX = False
DEV_INBOX_KEEP = 200
DEV_INBOX_PERMISSION = "messaging.view_message"
