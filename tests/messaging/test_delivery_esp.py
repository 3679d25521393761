"""Anymail's real Postmark backend against the project's fake Postmark, over HTTP on 127.0.0.1."""

import base64
import json

import pytest
from anymail.signals import AnymailTrackingEvent
from django.utils import timezone

from messaging import delivery, tracking
from messaging.models import Message
from tests.factories import OrderFactory
from tests.messaging.conftest import closed_port
from tests.messaging.fake_esp import INVALID, UNAVAILABLE, Step
from tests.messaging.helpers import deliver_order, queue_order

pytestmark = pytest.mark.django_db

WEBHOOK = "/webhooks/anymail/postmark/tracking/"


def test_503_503_200_is_sent_after_three_attempts(
    confirmation_template, fake_postmark, fast_retries, django_capture_on_commit_callbacks
):
    fake_postmark.plan = [UNAVAILABLE, UNAVAILABLE]
    message = deliver_order()

    assert message.status == Message.Status.SENT
    assert message.attempts == 3
    assert message.esp_name == "Postmark"
    assert message.esp_message_id
    assert message.events.filter(kind="claimed").count() == 3
    retries = message.events.filter(kind="retry_scheduled")
    assert [("503" in e.detail) for e in retries] == [True, True]
    assert len(fake_postmark.requests) == 3
    request = fake_postmark.requests[-1]
    assert request["path"] == "/email"
    assert request["headers"]["X-Postmark-Server-Token"] == "fake-postmark-token"
    body = request["json"]
    assert body["Metadata"] == {"message_id": str(message.pk)}
    assert body["Tag"] == "order_confirmation"
    [attachment] = body["Attachments"]
    assert attachment["ContentType"] == "application/pdf"
    assert base64.b64decode(attachment["Content"]).startswith(b"%PDF")


def test_422_fails_after_one_attempt_with_the_reason(
    confirmation_template, fake_postmark, fast_retries, django_capture_on_commit_callbacks
):
    fake_postmark.plan = [INVALID]
    message = deliver_order()

    assert message.status == Message.Status.FAILED
    assert message.attempts == 1
    assert "422" in message.last_error
    assert "error code 300" in message.last_error
    assert len(fake_postmark.requests) == 1
    assert message.events.filter(kind="failed").count() == 1


def test_connection_refused_is_retried(
    confirmation_template, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {
        "POSTMARK_SERVER_TOKEN": "t",
        "POSTMARK_API_URL": f"http://127.0.0.1:{closed_port()}/",
    }
    message = deliver_order()

    assert message.status == Message.Status.QUEUED
    assert message.attempts == 1
    assert message.last_error == "Could not connect to the ESP."
    assert message.next_attempt_at > timezone.now()
    assert message.events.filter(kind="retry_scheduled").count() == 1


def test_read_timeout_is_recorded_as_maybe_sent_and_retried(
    confirmation_template, fake_postmark, settings, django_capture_on_commit_callbacks
):
    settings.ANYMAIL = {**settings.ANYMAIL, "REQUESTS_TIMEOUT": (1, 0.5)}
    fake_postmark.plan = [Step(200, delay=1.5)]
    message = deliver_order()

    assert message.status == Message.Status.QUEUED
    assert message.events.get(kind="no_response").detail == "No response from the ESP."
    assert "may have been sent" in message.events.get(kind="no_response").get_kind_display()


def post_webhook(client, payload, auth="hook:secret"):
    headers = {}
    if auth:
        headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(auth.encode()).decode()
    return client.post(
        WEBHOOK, data=json.dumps(payload), content_type="application/json", **headers
    )


def delivery_payload(message):
    return {
        "RecordType": "Delivery",
        "ServerID": 23,
        "MessageStream": "outbound",
        "MessageID": message.esp_message_id,
        "Recipient": message.recipient,
        "Tag": "order_confirmation",
        "DeliveredAt": "2026-11-28T01:02:03Z",
        "Details": "Test delivery webhook details",
        "Metadata": {"message_id": str(message.pk)},
    }


def test_tracking_webhook_marks_delivered_and_replays_are_ignored(
    confirmation_template, fake_postmark, client, django_capture_on_commit_callbacks
):
    message = deliver_order()
    assert message.status == Message.Status.SENT

    assert post_webhook(client, delivery_payload(message)).status_code == 200
    assert post_webhook(client, delivery_payload(message)).status_code == 200

    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    tracking = message.events.filter(kind="tracking")
    assert tracking.count() == 1
    assert tracking.get().esp_event_type == "delivered"


def test_tracking_webhook_needs_the_secret(
    confirmation_template, fake_postmark, client, django_capture_on_commit_callbacks
):
    message = deliver_order()
    response = post_webhook(client, delivery_payload(message), auth="hook:wrong")
    assert response.status_code in (400, 401, 403)
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert not message.events.filter(kind="tracking").exists()


def test_status_only_moves_forward(confirmation_template, fake_postmark, client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    message = queue_order(OrderFactory())
    message = delivery.deliver_message(message_id=message.pk)

    def track(event_type, event_id):
        tracking.record_tracking_event(
            event=AnymailTrackingEvent(
                event_type=event_type,
                message_id=message.esp_message_id,
                event_id=event_id,
                timestamp=timezone.now(),
            ),
            esp_name="Postmark",
        )
        message.refresh_from_db()
        return message.status

    assert track("delivered", "e1") == "delivered"
    assert track("sent", "e2") == "delivered"  # late, out of order
    assert track("queued", "e3") == "delivered"
    assert track("bounced", "e4") == "bounced"
    assert track("delivered", "e5") == "bounced"  # final
    assert message.events.filter(kind="tracking").count() == 5


def test_tracking_can_find_a_message_before_its_esp_id_is_written(confirmation_template):
    message = queue_order(OrderFactory())
    tracking.record_tracking_event(
        event=AnymailTrackingEvent(
            event_type="delivered",
            message_id="not-yet-known",
            metadata={"message_id": str(message.pk)},
        ),
        esp_name="Postmark",
    )
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    # ...and the worker then finding it delivered keeps it so.
    assert delivery.deliver_message(message_id=message.pk) is None
