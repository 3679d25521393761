"""The webhook rate limit as documented: a fixed one-minute window per IP, off at 0, and a count
that expires mid-request starts again at one."""

import pytest
from django.core.cache import cache, caches

from messaging import webhooks
from tests.messaging.test_delivery_esp import WEBHOOK

pytestmark = pytest.mark.django_db

MINUTE_START = 1_800_000_000.0  # a multiple of 60: the first second of a window


@pytest.fixture
def limited(settings, fake_postmark, monkeypatch):
    """Postmark's webhook mounted, a limit of 2 per minute, and a clock the test sets."""
    settings.WEBHOOK_RATE_LIMIT = 2
    cache.clear()
    clock = {"now": MINUTE_START}
    monkeypatch.setattr(webhooks.time, "time", lambda: clock["now"])
    return clock


def post(client) -> int:
    response = client.post(WEBHOOK, "{}", content_type="application/json")
    assert response.status_code != 500
    return response.status_code


def test_a_limit_of_zero_turns_the_limit_off(limited, settings, client):
    settings.WEBHOOK_RATE_LIMIT = 0

    assert 429 not in [post(client) for _ in range(5)]


def test_the_window_is_one_minute(limited, client):
    assert 429 not in [post(client), post(client)]
    limited["now"] = MINUTE_START + 59
    assert post(client) == 429  # still the same minute
    limited["now"] = MINUTE_START + 60
    assert post(client) != 429  # a new one


def test_a_count_that_expires_between_add_and_incr_starts_again_at_one(
    limited, client, monkeypatch
):
    backend = type(caches["default"])
    incr = backend.incr
    expired = []

    def expires_once(self, key, delta=1, version=None):
        if not expired:  # the window's key expires just after `add` made sure of it
            expired.append(key)
            self.delete(key, version=version)
        return incr(self, key, delta, version)

    monkeypatch.setattr(backend, "incr", expires_once)

    statuses = [post(client) for _ in range(3)]

    assert expired  # the race happened, on the first request
    assert 429 not in statuses[:2]
    assert statuses[2] == 429  # the first request counted: the third is over the limit of 2
