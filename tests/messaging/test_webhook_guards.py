"""The guards in front of Anymail's webhook views, as documented: only an ESP that has a
tracking webhook gets a URL, an ESP whose webhook cannot authenticate is refused (403, never a
500), and the rate limit is a fixed one-minute window per IP, off at 0, whose count starts again
at one when it expires mid-request."""

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


@pytest.mark.parametrize("limit", [1, 2])
def test_a_count_that_expires_between_add_and_incr_starts_again_at_one(
    limit, limited, settings, client, monkeypatch
):
    settings.WEBHOOK_RATE_LIMIT = limit
    backend = type(caches["default"])
    incr = backend.incr
    expired = []

    def expires_once(self, key, delta=1, version=None):
        if not expired:  # the window's key expires just after `add` made sure of it
            expired.append(key)
            self.delete(key, version=version)
        return incr(self, key, delta, version)

    monkeypatch.setattr(backend, "incr", expires_once)

    statuses = [post(client) for _ in range(limit + 1)]

    assert expired  # the race happened, on the first request
    # The first request counts as one, and is stored as one: exactly `limit` get through.
    assert 429 not in statuses[:limit]
    assert statuses[limit] == 429


def test_an_anymail_backend_without_tracking_webhooks_mounts_none(settings, client):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"  # an ESP module, no webhook

    response = client.post("/webhooks/anymail/test/tracking/", "{}", content_type="text/json")

    assert response.status_code == 404


def test_an_esp_whose_webhook_cannot_verify_anything_is_refused(settings, client):
    # Mailgun with neither a webhook signing key nor an API key: Anymail's view refuses to
    # start, so nothing could check a request's signature.
    settings.EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
    settings.ANYMAIL = {}

    response = client.post("/webhooks/anymail/mailgun/tracking/", {"event": "delivered"})

    assert response.status_code == 403
    assert response.content == b"Webhook authentication is not configured."
