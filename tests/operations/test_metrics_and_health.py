"""/metrics for Prometheus (matches the database, behind a bearer token) and /healthz."""

import os
import time
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from messaging.models import Message
from tests.messaging.conftest import celery_config, closed_port

from .conftest import accept, make_message

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-for-tests"


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape(client) -> dict[tuple[str, tuple], float]:
    """Every sample of a scrape, keyed by name and sorted labels."""
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_metrics_match_the_outbox(client, metrics_token):
    make_message(age=timedelta(minutes=7))
    make_message(attempts=2)  # waiting for its third attempt
    accept(make_message(age=timedelta(seconds=40)))
    for reason in ("Template error: unknown tag", "Postmark API responded 422 (x).", "Weird."):
        make_message(status=Message.Status.FAILED, last_error=reason, attempts=2)

    samples = scrape(client)

    for status in Message.Status:
        expected = Message.objects.filter(status=status).count()
        assert samples[("sealpost_messages", (("status", status),))] == expected
    assert samples[("sealpost_unfinished_attempts", ())] == 2
    assert samples[("sealpost_queue_depth", ())] == 2
    assert 7 * 60 <= samples[("sealpost_oldest_queued_age_seconds", ())] < 8 * 60
    failed = {
        dict(labels)["reason_class"]: value
        for (name, labels), value in samples.items()
        if name == "sealpost_failed_messages"
    }
    assert (failed["template"], failed["esp_refused"], failed["other"]) == (1, 1, 1)
    # The accepted one was placed 40 s before the ESP took it.
    assert 39 <= samples[("sealpost_acceptance_latency_seconds", (("percentile", "50"),))] <= 41
    assert samples[("sealpost_alert_firing", (("rule", "queue_age"),))] == 0


def test_metrics_are_a_404_unless_a_token_is_set(client, settings):
    settings.METRICS_TOKEN = ""
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}", TOKEN])
def test_metrics_refuse_a_missing_or_wrong_token(client, metrics_token, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/metrics", **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"sealpost_" not in response.content


def test_healthz_is_ok_and_plain_text(client):
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok\n")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Content-Security-Policy" not in response  # not HTML


def test_healthz_reports_a_stopped_broker_within_a_second(client, settings):
    broker = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CELERY_BROKER_URL = broker
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with celery_config(broker_url=broker):
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started
    assert (response.status_code, response.content) == (503, b"unavailable: broker\n")
    assert elapsed < 1.5


def test_healthz_and_metrics_need_no_csrf_token_and_take_no_posts(settings):
    from django.test import Client

    settings.METRICS_TOKEN = TOKEN
    strict = Client(enforce_csrf_checks=True)
    assert strict.get("/healthz").status_code == 200
    assert strict.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    assert strict.post("/healthz").status_code == 405


@pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL"), reason="needs a broker: set CELERY_BROKER_URL"
)
def test_healthz_is_ok_with_a_running_broker(client, settings):
    broker = os.environ["CELERY_BROKER_URL"]
    settings.CELERY_BROKER_URL = broker
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with celery_config(broker_url=broker):
        response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok\n")
