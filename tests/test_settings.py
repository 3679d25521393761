"""The environment is the configuration: checked in a fresh interpreter, as a deployment starts."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRINT_ANYMAIL = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps(settings.ANYMAIL))"
)


def settings_with(**environ) -> subprocess.CompletedProcess:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("ANYMAIL_", "DEBUG", "SECRET_KEY"))
    }
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings"} | environ
    return subprocess.run(
        [sys.executable, "-c", PRINT_ANYMAIL], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_every_anymail_variable_lands_in_the_anymail_dict():
    result = settings_with(
        SECRET_KEY="x",
        ANYMAIL_POSTMARK_SERVER_TOKEN="token-123",
        ANYMAIL_POSTMARK_API_URL="http://127.0.0.1:9/",
        ANYMAIL_IGNORE_RECIPIENT_STATUS="False",
        ANYMAIL_WEBHOOK_SECRET="old:pw,new:pw",
    )

    anymail = json.loads(result.stdout)
    assert anymail["POSTMARK_SERVER_TOKEN"] == "token-123"
    assert anymail["POSTMARK_API_URL"] == "http://127.0.0.1:9/"
    assert anymail["IGNORE_RECIPIENT_STATUS"] is False
    assert anymail["WEBHOOK_SECRET"] == ["old:pw", "new:pw"]


@pytest.mark.parametrize("secret", ["", None])
def test_secret_key_is_required_without_debug(secret):
    result = settings_with() if secret is None else settings_with(SECRET_KEY=secret)

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def redis_cache_options(url: str) -> dict:
    """The connection options a fresh interpreter's default cache gets from CACHE_URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEBUG", "SECRET_KEY"))}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1", "CACHE_URL": url}
    code = (
        "import django, json; django.setup(); from django.core.cache import cache\n"
        "options = cache._cache._pool_options\n"
        "print(json.dumps({k: v for k, v in options.items() if 'timeout' in k}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def test_a_redis_cache_gives_up_on_a_frozen_server_within_a_second():
    # A Redis that accepts connections and answers nothing (SIGSTOPped, a dead network path)
    # held each rate-limited storefront form for redis-py's own default, 5 s a cache call:
    # a checkout took 10 s and a payment 11 s, each holding a web worker. The count is
    # skipped when the cache fails (shop/ratelimit.py), so a short bound costs nothing.
    options = redis_cache_options("redis://127.0.0.1:6379/1")

    assert 0 < options["socket_connect_timeout"] <= 1
    assert 0 < options["socket_timeout"] <= 1


def test_timeouts_in_the_cache_url_win():
    options = redis_cache_options("redis://127.0.0.1:6379/1?socket_timeout=3")

    assert options["socket_timeout"] == 3
