"""The production gate: `manage.py check --deploy --fail-level WARNING`, run in a fresh
interpreter with nothing but the environment a deployment would give it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What docs/operators/deploy.md asks for; every value here is a placeholder.
PRODUCTION = {
    "SECRET_KEY": "prod-7Hq2-vX9k-Lm4R-pZ8w-Tn3B-yC6d-Jf5G-sK1e-Wu0A-rQ7h-Nx2M",
    "ALLOWED_HOSTS": "shop.example.com",
    "DOCUMENT_PASSWORD_KEY": "doc-key-3Fk9-Qw2L-Zp7X-Vm4T-Hs8N-Rb6C",
    "EVENT_DATA_KEYS": "0sXWb2gmr9Pq1Zp8BBxsVtMD4uU3i0w1Qb6OoPZ0S2c=",
    "ANYMAIL_WEBHOOK_SECRET": "hook:3n8Zq-long-random-password",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
    "ANYMAIL_POSTMARK_SERVER_TOKEN": "postmark-server-token",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}


def run_in_fresh_process(args, environ) -> subprocess.CompletedProcess:
    """Only PATH is inherited: the test's own variables (pytest-env, CI) must not leak in."""
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings"} | environ
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def deploy_gate(environ) -> subprocess.CompletedProcess:
    return run_in_fresh_process(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], environ
    )


def without(*names) -> dict:
    return {k: v for k, v in PRODUCTION.items() if k not in names}


def test_the_production_configuration_passes_the_gate():
    result = deploy_gate(PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("ANYMAIL_WEBHOOK_SECRET", "ESP tracking webhook at /webhooks/anymail/postmark/tracking/"),
        ("DOCUMENT_PASSWORD_KEY", "DOCUMENT_PASSWORD_KEY must be set"),
        ("EVENT_DATA_KEYS", "EVENT_DATA_KEYS must be set in production"),
        ("CELERY_BROKER_URL", "CELERY_BROKER_URL is not set"),
    ],
)
def test_the_gate_fails_with_a_clear_message_when_a_secret_or_the_broker_is_missing(
    missing, message
):
    result = deploy_gate(without(missing))

    assert result.returncode != 0
    assert message in result.stderr
    assert missing in result.stderr


def test_a_generated_metrics_token_passes_the_gate():
    result = deploy_gate(PRODUCTION | {"METRICS_TOKEN": "mt-4Rk8-Pq2Z-Xw7N-Lb3V-Hc9T-Jd6F-Gs1M"})

    assert result.returncode == 0, result.stderr


def test_a_short_document_password_key_fails_the_gate():
    result = deploy_gate(PRODUCTION | {"DOCUMENT_PASSWORD_KEY": "too-short"})

    assert result.returncode != 0
    assert "at least 32 characters" in result.stderr


def test_a_mailgun_signing_key_authenticates_its_webhook_without_a_basic_auth_secret():
    mailgun = without("ANYMAIL_WEBHOOK_SECRET", "ANYMAIL_POSTMARK_SERVER_TOKEN") | {
        "EMAIL_BACKEND": "anymail.backends.mailgun.EmailBackend",
        "ANYMAIL_MAILGUN_API_KEY": "mailgun-api-key",
        "ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY": "mailgun-signing-key",
    }

    result = deploy_gate(mailgun)

    assert result.returncode == 0, result.stderr


def test_the_gate_names_the_missing_https_settings():
    result = deploy_gate(without("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"))

    assert result.returncode != 0
    assert "security.W004" in result.stderr  # HSTS
    assert "security.W008" in result.stderr  # SSL redirect


def test_opting_out_of_hsts_subdomains_and_preload_is_a_decision_not_a_warning():
    result = deploy_gate(
        PRODUCTION | {"SECURE_HSTS_INCLUDE_SUBDOMAINS": "0", "SECURE_HSTS_PRELOAD": "0"}
    )

    assert result.returncode == 0, result.stderr


PRINT_HTTPS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
    "s.SECURE_HSTS_PRELOAD, s.SECURE_SSL_REDIRECT)"
)


def test_https_settings_come_from_the_environment():
    default = run_in_fresh_process(["-c", PRINT_HTTPS], {"SECRET_KEY": "x"})
    behind_proxy = run_in_fresh_process(
        ["-c", PRINT_HTTPS],
        {
            "SECRET_KEY": "x",
            "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO",
            "SECURE_HSTS_SECONDS": "600",
            "SECURE_SSL_REDIRECT": "true",
        },
    )

    # gunicorn exposed directly: a client-sent X-Forwarded-Proto is not trusted.
    assert default.stdout.split() == ["None", "0", "True", "True", "False"]
    assert behind_proxy.stdout.split() == [
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "600",
        "True",
        "True",
        "True",
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ANYMAIL_WEBHOOK_SECRET": "hook:"}, "not user:password"),
        ({"ANYMAIL_WEBHOOK_SECRET": ","}, "not user:password"),
        ({"ANYMAIL_WEBHOOK_SECRET": "hook"}, "not user:password"),
        ({"DOCUMENT_PASSWORD_KEY": "a" * 40}, "looks typed"),
        ({"DOCUMENT_PASSWORD_KEY": " " * 34}, "DOCUMENT_PASSWORD_KEY"),
        ({"CELERY_BROKER_URL": "bogus"}, "does not name a broker"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "never delivers"),
        ({"ANYMAIL_POSTMARK_SERVER_TOKEN": ""}, "cannot start"),
        ({"CACHE_URL": "locmemcache://"}, "per-process cache"),
        ({"METRICS_TOKEN": "abc"}, "METRICS_TOKEN must have at least 32 characters"),
        ({"METRICS_TOKEN": "ab" * 20}, "METRICS_TOKEN must have at least 32 characters"),
    ],
)
def test_the_gate_refuses_values_that_only_look_configured(change, message):
    environ = PRODUCTION | change
    environ = {k: v for k, v in environ.items() if v != ""}
    result = deploy_gate(environ)

    assert result.returncode != 0
    assert message in result.stderr
