"""/metrics for Prometheus (matches the database, behind a bearer token) and /healthz."""

import os
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from messaging.models import Message, MessageEvent
from operations import durations, health
from operations.durations import ESP_REQUEST_BUCKETS, PDF_BUILD_BUCKETS
from operations.models import DurationRollup
from tests.messaging.conftest import celery_config, closed_port
from tests.messaging.fake_esp import UNAVAILABLE, Step
from tests.messaging.helpers import deliver_order

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


def test_messages_failed_by_erasure_are_counted_as_erased_not_refused(client, metrics_token):
    erased = make_message()
    erased.mark_failed(reason=Message.RECIPIENT_ERASED)
    make_message(status=Message.Status.FAILED, last_error="The ESP refused the recipient address.")

    samples = scrape(client)

    for reason_class in ("erased", "recipient_refused"):
        labels = (("reason_class", reason_class), ("type", "order_confirmation"))
        assert samples[("sealpost_failed_messages", labels)] == 1


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


def test_healthz_reports_a_stopped_broker_at_its_first_refusal(client, settings, broker_calls):
    broker = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CELERY_BROKER_URL = broker
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with celery_config(broker_url=broker):
        response = client.get("/healthz")
    assert (response.status_code, response.content) == (503, b"unavailable: broker\n")
    # One connection attempt, no retry loop: a load balancer's probe is answered at once.
    assert (broker_calls.connects, broker_calls.waits) == (1, [])


def test_healthz_probe_gives_up_after_one_refused_connect_and_ends(
    client, settings, broker_calls, caplog
):
    """The probe thread tries the broker once and stops: left to kombu's default it would
    keep retrying in the background after the answer (a thread per probe), and the log would
    blame a timeout instead of the refusal it saw."""
    broker = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CELERY_BROKER_URL = broker
    settings.CELERY_TASK_ALWAYS_EAGER = False
    earlier = set(threading.enumerate())
    with celery_config(broker_url=broker):
        response = client.get("/healthz")
    assert response.status_code == 503
    for thread in set(threading.enumerate()) - earlier:
        if thread.name.startswith("healthz"):
            thread.join()  # this probe's thread finishes on its own
    assert broker_calls.connects == 1
    assert "Health check: broker unreachable (OperationalError)." in caplog.messages


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


# --- duration histograms ----------------------------------------------------------------------


def histogram(samples: dict, name: str) -> tuple[list[tuple[float, float]], float, float]:
    """A histogram of a scrape: its (le, count) buckets in order, its count and its sum."""
    buckets = sorted(
        (float(dict(labels)["le"]), value)
        for (sample, labels), value in samples.items()
        if sample == f"{name}_bucket"
    )
    return buckets, samples[(f"{name}_count", ())], samples[(f"{name}_sum", ())]


def assert_matches(buckets, count, total, durations: list[float]) -> None:
    """Cumulative buckets that count exactly the stored durations up to each bound."""
    assert buckets[-1] == (float("inf"), count)
    assert [n for _, n in buckets] == sorted(n for _, n in buckets)  # cumulative
    for bound, n in buckets:
        assert n == sum(1 for d in durations if d <= bound), bound
    assert count == len(durations)
    assert total == pytest.approx(sum(durations))


def test_histograms_count_every_esp_request_and_pdf_build(
    client, metrics_token, confirmation_template, fake_postmark, fast_retries
):
    # The first message: a 503, then an answer after 0.3 s; the second: answered at once.
    fake_postmark.plan = [UNAVAILABLE, Step(200, delay=0.3)]
    slow = deliver_order()
    fast = deliver_order()
    assert (slow.status, slow.attempts, fast.status, fast.attempts) == ("sent", 2, "sent", 1)

    samples = scrape(client)

    requests = MessageEvent.objects.filter(kind=MessageEvent.Kind.CLAIMED)
    esp = list(requests.values_list("duration", flat=True))
    assert len(esp) == len(fake_postmark.requests) == slow.attempts + fast.attempts == 3
    buckets, count, total = histogram(samples, "sealpost_esp_request_seconds")
    assert [bound for bound, _ in buckets] == [*ESP_REQUEST_BUCKETS, float("inf")]
    assert count == 3  # one per attempt, the refused one too
    assert_matches(buckets, count, total, esp)
    assert dict(buckets)[0.25] <= 2  # the answer the ESP held for 0.3 s is above 0.25

    builds = MessageEvent.objects.filter(kind=MessageEvent.Kind.ATTACHMENT_BUILT)
    pdf = list(builds.values_list("duration", flat=True))
    buckets, count, total = histogram(samples, "sealpost_pdf_build_seconds")
    assert [bound for bound, _ in buckets] == [*PDF_BUILD_BUCKETS, float("inf")]
    assert count == 3  # one PDF built per attempt
    assert_matches(buckets, count, total, pdf)
    assert all(d > 0 for d in pdf)


def timed_lines() -> list[tuple[str, float]]:
    return list(MessageEvent.objects.filter(duration__isnull=False).values_list("kind", "duration"))


def test_lines_folded_into_the_rollup_are_counted_once(
    client, metrics_token, confirmation_template, fake_postmark, fast_retries
):
    fake_postmark.plan = [UNAVAILABLE]
    deliver_order()  # two attempts
    deliver_order()
    # Those lines were written an hour ago: the next scrape folds them into the rollup.
    MessageEvent.objects.update(created_at=timezone.now() - timedelta(hours=1))
    first = scrape(client)
    rollup = DurationRollup.objects.get()
    assert rollup.through > timezone.now() - durations.FOLD_AFTER - timedelta(minutes=1)
    assert rollup.tallies["sealpost_esp_request_seconds"]["count"] == 3
    deliver_order()  # recent lines, counted from the history at each scrape

    second, third = scrape(client), scrape(client)

    assert first[("sealpost_esp_request_seconds_count", ())] == 3
    assert first[("sealpost_pdf_build_seconds_count", ())] == 3
    assert second == third
    lines = timed_lines()
    for name, kind, bounds in (
        ("sealpost_esp_request_seconds", "claimed", ESP_REQUEST_BUCKETS),
        ("sealpost_pdf_build_seconds", "attachment_built", PDF_BUILD_BUCKETS),
    ):
        buckets, count, total = histogram(second, name)
        assert [bound for bound, _ in buckets] == [*bounds, float("inf")]
        assert count == 4
        assert_matches(buckets, count, total, [d for k, d in lines if k == kind])


def test_new_buckets_count_the_whole_history_again(
    client, metrics_token, confirmation_template, monkeypatch
):
    deliver_order()
    MessageEvent.objects.update(created_at=timezone.now() - timedelta(hours=1))
    scrape(client)  # folded with the old buckets
    assert DurationRollup.objects.get().tallies["sealpost_pdf_build_seconds"]["count"] == 1
    fewer = durations.Histogram(
        "sealpost_pdf_build_seconds", "PDF build.", "attachment_built", (0.000001, 60.0)
    )
    monkeypatch.setattr(durations, "HISTOGRAMS", (durations.HISTOGRAMS[0], fewer))

    buckets, count, total = histogram(scrape(client), "sealpost_pdf_build_seconds")

    assert [bound for bound, _ in buckets] == [0.000001, 60.0, float("inf")]
    assert_matches(buckets, count, total, [d for k, d in timed_lines() if k == "attachment_built"])
    assert buckets[0][1] == 0  # no PDF builds in a microsecond


def test_an_attempt_that_never_reaches_the_esp_is_not_timed(
    client, metrics_token, confirmation_template, fake_postmark
):
    confirmation_template.subject = "{{ order.number|ljust:200000000 }}"  # refused at render
    confirmation_template.save()
    confirmation_template.publish(confirmation_template.current_revision())  # customers get it

    message = deliver_order()

    assert message.status == Message.Status.FAILED
    assert not fake_postmark.requests
    samples = scrape(client)
    assert samples[("sealpost_esp_request_seconds_count", ())] == 0
    assert samples[("sealpost_pdf_build_seconds_count", ())] == 0
    assert samples[("sealpost_esp_request_seconds_bucket", (("le", "+Inf"),))] == 0


# --- /healthz's database probe ----------------------------------------------------------------


def test_healthz_runs_only_the_probe_on_sqlite_and_a_local_timeout_on_postgresql(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/healthz").status_code == 200

    statements = [q["sql"] for q in queries.captured_queries]
    assert "SELECT 1" in statements
    bounded = [s for s in statements if "statement_timeout" in s]
    if connection.vendor == "postgresql":
        assert bounded == ["SELECT set_config('statement_timeout', '1000ms', true)"]
    else:
        assert bounded == []


def test_healthz_says_database_when_the_probe_fails(client, monkeypatch, caplog):
    monkeypatch.setattr(health, "PROBE", "SELECT * FROM no_such_table_here")

    response = client.get("/healthz")

    assert (response.status_code, response.content) == (503, b"unavailable: database\n")
    assert "no_such_table_here" not in caplog.text  # the error class only


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_healthz_gives_up_on_a_query_postgresql_does_not_answer_in_time(
    client, postgres, monkeypatch
):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        [(before,)] = cursor.fetchall()
    # A database that does not answer: without the timeout this probe would hold the response
    # for 30 s, and answer "ok".
    monkeypatch.setattr(health, "PROBE", "SELECT pg_sleep(30)")
    monkeypatch.setattr(health, "DATABASE_TIMEOUT", 0.2)

    response = client.get("/healthz")

    assert (response.status_code, response.content) == (503, b"unavailable: database\n")
    with connection.cursor() as cursor:  # the same connection, still usable, timeout as it was
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchall() == [(before,)]


def test_postgresql_connections_are_bounded_by_default(settings):
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        assert options["connect_timeout"] == 3
    else:
        assert "connect_timeout" not in options  # SQLite would refuse the option


def test_metrics_count_events_and_failures_by_event_type(client, metrics_token):
    make_message()
    accept(make_message())
    make_message(event_type="shipping_update")
    for _ in range(2):
        make_message(
            event_type="shipping_update",
            status=Message.Status.FAILED,
            last_error="Template error: unknown tag",
        )
    make_message(status=Message.Status.FAILED, last_error="Postmark API responded 422 (x).")
    for message in Message.objects.all():
        message.sync_event_status()

    samples = scrape(client)

    def events(type_, status):
        return samples[("sealpost_events", (("status", status), ("type", type_)))]

    assert events("order_confirmation", "pending") == 1
    assert events("order_confirmation", "sent") == 1
    assert events("order_confirmation", "failed") == 1
    assert events("shipping_update", "pending") == 1
    assert events("shipping_update", "failed") == 2
    assert events("shipping_update", "delivered") == 0

    def failed(type_, reason_class):
        labels = (("reason_class", reason_class), ("type", type_))
        return samples[("sealpost_failed_messages", labels)]

    assert failed("shipping_update", "template") == 2
    assert failed("order_confirmation", "esp_refused") == 1
    assert failed("order_confirmation", "template") == 0
