"""Forged ESP tracking events: what an attacker on the internet can and cannot do to the outbox."""

import json
import socket

import pytest
from django.core.cache import cache

from messaging import webhooks
from messaging.models import Message
from tests.messaging.helpers import deliver_order
from tests.messaging.test_delivery_esp import WEBHOOK, delivery_payload, post_webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_message(confirmation_template, fake_postmark, django_capture_on_commit_callbacks):
    """A confirmation Postmark accepted: it has Postmark's message id."""
    message = deliver_order()
    assert message.status == Message.Status.SENT
    return message


def bounce_payload(message):
    return delivery_payload(message) | {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "TypeCode": 1,
        "Email": message.recipient,
        "BouncedAt": "2026-11-28T01:02:03Z",
        "Description": "Forged",
    }


def status_and_tracking(message) -> tuple[str, int]:
    message.refresh_from_db()
    return message.status, message.events.filter(kind="tracking").count()


def test_without_a_webhook_secret_a_forged_bounce_is_refused(sent_message, settings, client):
    settings.ANYMAIL = {k: v for k, v in settings.ANYMAIL.items() if k != "WEBHOOK_SECRET"}

    response = post_webhook(client, bounce_payload(sent_message), auth=None)

    assert response.status_code == 403
    assert status_and_tracking(sent_message) == (Message.Status.SENT, 0)


def test_only_the_configured_esps_tracking_webhook_exists(sent_message, settings, client):
    settings.ANYMAIL = {k: v for k, v in settings.ANYMAIL.items() if k != "WEBHOOK_SECRET"}
    forged_sendgrid = [
        {
            "event": "delivered",
            "email": sent_message.recipient,
            "sg_message_id": "forged",
            "message_id": str(sent_message.pk),
            "timestamp": 1_790_000_000,
        }
    ]

    for url in [
        "/webhooks/anymail/sendgrid/tracking/",
        "/webhooks/anymail/mailgun/tracking/",
        "/webhooks/anymail/postmark/inbound/",
    ]:
        response = client.post(url, json.dumps(forged_sendgrid), content_type="application/json")
        assert response.status_code == 404, url
    assert status_and_tracking(sent_message) == (Message.Status.SENT, 0)


def test_the_development_capture_backend_mounts_no_webhook(settings, client):
    settings.EMAIL_BACKEND = "inbox.backends.CaptureEmailBackend"

    assert client.post(WEBHOOK, "{}", content_type="application/json").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        b"not json at all",
        b"\xff\xfe not even text",
        b"{}",  # no RecordType, no MessageID
        b"[1, 2, 3]",  # not an object
        b'{"RecordType": "Bounce"}',  # a bounce without its message id
        b'{"FromFull": {}}',  # an inbound email, posted to the tracking URL
        b"[" * 100_000 + b"]" * 100_000,  # nesting deeper than the JSON parser recurses
        b'{"RecordType": "Delivery", "Metadata": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5001,
    ],
)
def test_a_malformed_but_authenticated_body_is_a_400_not_a_500(sent_message, client, body):
    client.raise_request_exception = False  # see the status the ESP would get

    response = client.post(
        WEBHOOK,
        body,
        content_type="application/json",
        headers={"authorization": "Basic aG9vazpzZWNyZXQ="},  # hook:secret
    )

    assert response.status_code == 400
    assert status_and_tracking(sent_message) == (Message.Status.SENT, 0)


def test_an_event_about_another_esp_message_does_not_touch_ours(sent_message, client):
    """Once Postmark's id is stored, metadata naming our row does not make another message's
    bounce ours (matching by metadata is only for the moment before that id is written)."""
    forged = bounce_payload(sent_message) | {"MessageID": "another-postmark-message-id"}

    post_webhook(client, forged)

    assert status_and_tracking(sent_message) == (Message.Status.SENT, 0)


def test_webhooks_are_rate_limited_per_ip(sent_message, settings, client, monkeypatch):
    settings.WEBHOOK_RATE_LIMIT = 2
    cache.clear()
    monkeypatch.setattr(webhooks.time, "time", lambda: 1_800_000_000.0)  # one window
    remote = {"REMOTE_ADDR": "192.0.2.44"}
    statuses = [
        client.post(WEBHOOK, "{}", content_type="application/json", **remote).status_code
        for _ in range(3)
    ]
    other_ip = client.post(
        WEBHOOK, "{}", content_type="application/json", REMOTE_ADDR="192.0.2.45"
    ).status_code

    assert statuses[2] == 429
    assert 429 not in statuses[:2]
    assert other_ip != 429


@pytest.mark.parametrize(
    ("field", "status"),
    [
        # No email of ours has such an id: the event is about nothing we sent.
        ("MessageID", 400),
        # Text an ESP relays from a receiving server: recorded, the NUL replaced.
        ("Details", 200),
        ("Description", 200),
        ("Email", 200),
        ("ID", 200),
        ("Type", 200),
    ],
)
def test_a_nul_byte_in_an_authenticated_event_is_a_400_or_recorded_never_a_500(
    sent_message, client, field, status
):
    """PostgreSQL refuses NUL in text (SQLite takes it): the ESP would retry a 500 for days,
    and a genuine bounce quoting a broken server's answer would never be recorded."""
    client.raise_request_exception = False
    payload = bounce_payload(sent_message) | {"ID": 4242}
    payload[field] = f"{payload[field]}\x00 tail"

    response = post_webhook(client, payload)

    assert response.status_code == status
    if status == 400:
        assert status_and_tracking(sent_message) == (Message.Status.SENT, 0)
    else:
        assert status_and_tracking(sent_message) == (Message.Status.BOUNCED, 1)
        [event] = sent_message.events.filter(kind="tracking")
        assert "\x00" not in event.detail + event.esp_event_id + event.esp_event_type


def test_a_nul_byte_in_a_delivery_events_recipient_is_recorded(sent_message, client):
    client.raise_request_exception = False
    payload = delivery_payload(sent_message) | {"Recipient": "kund\x00@example.com"}

    assert post_webhook(client, payload).status_code == 200
    assert status_and_tracking(sent_message) == (Message.Status.DELIVERED, 1)


def test_a_bounce_is_recorded_while_the_rate_limit_cache_is_down(sent_message, settings, client):
    # The shared cache is a Redis, often the broker's: an ESP's events while it is down are
    # recorded uncounted, as the storefront's forms go on (shop/ratelimit.py).
    with socket.socket() as probe:  # a port nothing listens on once this closes
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        }
    }
    client.raise_request_exception = False

    response = post_webhook(client, bounce_payload(sent_message))

    assert response.status_code == 200
    assert status_and_tracking(sent_message) == (Message.Status.BOUNCED, 1)
