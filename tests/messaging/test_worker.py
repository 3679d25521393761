"""A real `celery -A config worker` against Redis and PostgreSQL (CI runs these; see conftest).

The worker is a separate process pointed at pytest-django's test database (the tests are
`transaction=True`, so what they write is committed and visible to it) and at a fake Postmark
started here, which counts what was really sent. A dedicated Redis database is flushed first.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from conftest import ON_POSTGRES
from messaging.models import Message
from shop.models import Order
from shop.signals import order_completed
from tests.factories import OrderFactory
from tests.messaging.conftest import TOKEN, celery_config
from tests.messaging.fake_esp import FakePostmark, Step

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("SEALPOST_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")
BASE_DIR = Path(settings.BASE_DIR)


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


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """One `celery worker` process group (prefork children included), killed at the end."""

    def __init__(self, *, esp: FakePostmark, log: Path, beat_schedule: Path | None = None):
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": REDIS_URL,
            "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
            "ANYMAIL_POSTMARK_SERVER_TOKEN": TOKEN,
            "ANYMAIL_POSTMARK_API_URL": esp.url,
            # Short timings so a lost claim is recovered within the test.
            "CELERY_TASK_SOFT_TIME_LIMIT": "8",
            "CELERY_TASK_TIME_LIMIT": "9",
            "MESSAGING_CLAIM_SECONDS": "10",
            "MESSAGING_RELAY_GRACE_SECONDS": "3",
            "MESSAGING_RELAY_INTERVAL_SECONDS": "1",
            "MESSAGING_RETRY_BASE_SECONDS": "1",
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            "--concurrency=2",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            f"--hostname=test-{uuid.uuid4().hex[:8]}@%h",
        ]
        if beat_schedule is not None:
            command += ["--beat", f"--schedule={beat_schedule}"]
        self.log = log
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill the children too
            )

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture
def workers(tmp_path):
    started = []

    def start(esp, *, beat=False):
        worker = Worker(
            esp=esp,
            log=tmp_path / f"worker-{len(started)}.log",
            beat_schedule=tmp_path / "beat-schedule" if beat else None,
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def place_orders(count: int) -> list[int]:
    """Orders completed as checkout does: the signal inside the transaction, publish on commit."""
    ids = []
    for _ in range(count):
        with transaction.atomic():
            order = OrderFactory()
            order_completed.send(sender=Order, order=order)
        ids.append(order.messages.get().pk)
    return ids


def wait_for(predicate, *, timeout: float, worker_logs=()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    logs = "\n".join(worker.tail() for worker in worker_logs)
    statuses = Counter(Message.objects.values_list("status", flat=True))
    pytest.fail(f"timed out after {timeout} s; statuses {dict(statuses)}\n{logs}")


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
