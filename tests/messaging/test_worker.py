"""A real `celery -A config worker` against Redis and PostgreSQL (CI runs these; see conftest).

The worker is a separate process pointed at pytest-django's test database (the tests are
`transaction=True`, so what they write is committed and visible to it) and at a fake Postmark
started here, which counts what was really sent. A dedicated Redis database is flushed first.
"""

import os
import signal
import time
from collections import Counter

import pytest
from django.db import connection

from conftest import ON_POSTGRES
from messaging.models import Message
from tests.harness import Worker, place_orders, wait_for
from tests.messaging.conftest import celery_config
from tests.messaging.fake_esp import FakePostmark, Step

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("SEALPOST_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")


@pytest.fixture
def redis_broker():
    """The test broker, empty. Skips (a failure under CI) when there is none."""
    if not ON_POSTGRES:
        pytest.skip("worker tests need PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1/x")
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"worker tests need Redis at {REDIS_URL} ({type(exc).__name__})")
    client.flushdb()
    with celery_config(broker_url=REDIS_URL, task_always_eager=False):
        yield REDIS_URL
    client.flushdb()


@pytest.fixture
def esp():
    fake = FakePostmark().start()
    yield fake
    fake.stop()


@pytest.fixture
def workers(tmp_path):
    started = []

    def start(esp, *, beat=False):
        worker = Worker(
            esp=esp,
            broker_url=REDIS_URL,
            log=tmp_path / f"worker-{len(started)}.log",
            beat_schedule=tmp_path / "beat-schedule" if beat else None,
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def database_sessions() -> int:
    """How many connections PostgreSQL has accepted to the test database so far."""
    time.sleep(1.2)  # other backends publish their statistics about once a second
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_fifty_orders_are_sent_exactly_once(confirmation_template, redis_broker, esp, workers):
    worker = workers(esp)
    message_ids = place_orders(1)
    wait_for(lambda: Message.objects.filter(status="sent").exists(), timeout=60)
    sessions = database_sessions()
    message_ids += place_orders(49)

    wait_for(
        lambda: Message.objects.filter(status="sent").count() == 50,
        timeout=120,
        worker_logs=[worker],
    )
    sent = Counter(int(i) for i in esp.sent_message_ids())
    assert sent == Counter(dict.fromkeys(message_ids, 1))
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}
    # Each worker process keeps its connection: a new one per task costs ~3 ms of 50.
    new_sessions = database_sessions() - sessions
    assert new_sessions <= 4, f"{new_sessions} new database connections for 49 deliveries"


def test_a_worker_reconnects_when_the_database_dropped_its_connection(
    confirmation_template, redis_broker, esp, workers
):
    # A database restart (or a proxy's idle timeout) leaves each worker process holding a dead
    # connection: the check before each task must notice and open a new one.
    worker = workers(esp)
    place_orders(1)
    wait_for(lambda: Message.objects.filter(status="sent").exists(), timeout=60)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchone()[0] >= 1, "the worker kept no connection to drop"
    message_ids = place_orders(4)

    wait_for(
        lambda: Message.objects.filter(pk__in=message_ids, status="sent").count() == 4,
        timeout=60,
        worker_logs=[worker],
    )
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}


def test_a_killed_worker_loses_nothing(confirmation_template, redis_broker, esp, workers):
    # A slow ESP, so the worker is surely holding claimed messages when it dies.
    esp.default = Step(200, delay=1.0)
    first = workers(esp)
    message_ids = place_orders(12)
    wait_for(
        lambda: (
            Message.objects.filter(status="sending").exists()
            and Message.objects.filter(status="sent").exists()
        ),
        timeout=60,
        worker_logs=[first],
    )
    first.kill(signal.SIGKILL)
    held = set(Message.objects.filter(status="sending").values_list("pk", flat=True))
    assert held, "the worker held no claimed message when it was killed"

    second = workers(esp, beat=True)  # with beat: the relay recovers the expired claims
    wait_for(
        lambda: Message.objects.filter(status="sent").count() == len(message_ids),
        timeout=120,
        worker_logs=[first, second],
    )
    sent = Counter(int(i) for i in esp.sent_message_ids())
    assert set(sent) == set(message_ids)
    # Duplicates are confined to the messages in flight at the kill, and recorded as such.
    duplicated = {message_id for message_id, times in sent.items() if times > 1}
    assert duplicated <= held
    for message in Message.objects.filter(pk__in=held):
        assert message.events.filter(kind="claim_expired").exists()
