"""The fault suite's fixtures: brokers, the fake ESP, worker and beat, and the results table.

Each scenario fills one row (see `Row`); the session's terminal summary prints the table and,
when `CHAOS_REPORT` names a file, writes it there too. Columns: orders placed; messages `sent`
and `failed` at the end; ESP copies (requests the fake ESP accepted); dupes (accepted copies
beyond the first of a message, or for resends beyond the two an order should get); flagged (of
those, the ones whose history says "may have been sent twice"); lost (should have reached the
ESP and never did); settle s (from the scenario's first order, or its workers' start when the
orders wait for them, until every message is final); test s (the test, set-up included).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import ON_POSTGRES
from messaging.models import Message, MessageEvent
from tests.harness import Beat, Worker, celery_env, proof_queue_name, relay_queue_name
from tests.messaging.conftest import (  # noqa: F401 - fixtures shared with the messaging tests
    celery_config,
    confirmation_template,
)
from tests.messaging.fake_esp import FakePostmark

REDIS_URL = os.environ.get("SEALPOST_CHAOS_REDIS_URL", "redis://127.0.0.1:6379/13")
RABBITMQ_URL = os.environ.get("SEALPOST_CHAOS_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")
# History lines that say "this email may have gone out twice".
DUPLICATE_FLAGS = (MessageEvent.Kind.CLAIM_EXPIRED, MessageEvent.Kind.NO_RESPONSE)
FINAL = (
    Message.Status.SENT,
    Message.Status.DELIVERED,
    Message.Status.BOUNCED,
    Message.Status.FAILED,
)


# --- the results table ------------------------------------------------------------------------


@dataclass
class Row:
    scenario: str
    broker: str
    orders: int = 0
    sent: int = 0
    failed: int = 0
    esp_copies: int = 0
    duplicates: int = 0
    flagged: int = 0
    lost: int = 0
    settle_s: float | None = None
    outcome: str = "not run"
    test_s: float = 0.0
    notes: list[str] = field(default_factory=list)

    def tally(self, esp: FakePostmark, message_ids, *, deliverable=None) -> None:
        """Fill the counts from the rows and from what the fake ESP accepted.

        A duplicate is every accepted copy of a message beyond its first; it is flagged when
        the message's history says it may have been sent twice. Lost: a message that should
        have reached the ESP (all of them unless `deliverable` says otherwise) and never did.
        """
        message_ids = set(message_ids)
        deliverable = message_ids if deliverable is None else set(deliverable)
        statuses = dict(Message.objects.filter(pk__in=message_ids).values_list("pk", "status"))
        copies = Counter(int(m) for m in esp.sent_message_ids() if m and int(m) in message_ids)
        duplicated = {m for m, n in copies.items() if n > 1}
        # A lost worker's line flags a duplicate only when it says the email may have gone.
        flagged = set(
            MessageEvent.objects.filter(message_id__in=duplicated, kind__in=DUPLICATE_FLAGS)
            .exclude(kind=MessageEvent.Kind.CLAIM_EXPIRED, detail__contains="was not sent")
            .values_list("message_id", flat=True)
        )
        self.sent = sum(
            s in (Message.Status.SENT, Message.Status.DELIVERED) for s in statuses.values()
        )
        self.failed = sum(s == Message.Status.FAILED for s in statuses.values())
        self.esp_copies = sum(copies.values())
        self.duplicates = sum(n - 1 for n in copies.values() if n > 1)
        self.flagged = sum(copies[m] - 1 for m in flagged)
        self.lost = sum(1 for m in deliverable if not copies[m])


ROWS: list[Row] = []
ROW_KEY = pytest.StashKey[Row]()


@pytest.fixture
def chaos_row(request) -> Row:
    """This scenario's row in the table (request it first, so even a skip is listed)."""
    params = getattr(request.node, "callspec", None)
    broker = params.params.get("broker", "") if params else ""
    row = Row(scenario=request.node.originalname.removeprefix("test_"), broker=broker)
    ROWS.append(row)
    request.node.stash[ROW_KEY] = row
    return row


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    row = item.stash.get(ROW_KEY, None)
    if row is not None:
        row.test_s += report.duration
        if report.skipped:
            row.outcome = "skipped"
            reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else ""
            row.notes.append(str(reason).removeprefix("Skipped: "))
        elif report.failed:
            row.outcome = "FAILED" if report.when == "call" else f"error ({report.when})"
        elif report.when == "call":
            row.outcome = "passed"
    return report


def format_table(rows: list[Row]) -> str:
    header = (
        "scenario",
        "broker",
        "orders",
        "sent",
        "failed",
        "ESP copies",
        "dupes",
        "flagged",
        "lost",
        "settle s",
        "test s",
        "outcome",
    )
    lines = [
        (
            r.scenario,
            r.broker,
            r.orders,
            r.sent,
            r.failed,
            r.esp_copies,
            r.duplicates,
            r.flagged,
            r.lost,
            "-" if r.settle_s is None else f"{r.settle_s:.1f}",
            f"{r.test_s:.1f}",
            r.outcome,
        )
        for r in rows
    ]
    table = [tuple(str(c) for c in header), *[tuple(str(c) for c in line) for line in lines]]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    out = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in table]
    out.insert(1, "  ".join("-" * w for w in widths))
    per_broker = Counter()
    for r in rows:
        per_broker[r.broker] += r.test_s
    out.append("")
    out.append(
        "time per broker: "
        + ", ".join(f"{broker} {seconds:.0f} s" for broker, seconds in per_broker.items())
    )
    for r in rows:
        for note in r.notes:
            out.append(f"note {r.scenario}/{r.broker}: {note}")
    return "\n".join(out)


# Scenario/broker pairs left out on purpose, with the reason (the table lists them).
NOT_RUN = {
    "b_broker_restart/rabbitmq": "not run: the only RabbitMQ is shared, see the module"
    " docstring of tests/chaos/test_b_broker_restart.py",
}


def pytest_terminal_summary(terminalreporter):
    if not any(row.outcome != "skipped" for row in ROWS):
        return  # no PostgreSQL (or nothing selected): the skips say why
    text = format_table(ROWS)
    if any(row.scenario == "b_broker_restart" for row in ROWS):
        text += "".join(f"\nnote {pair}: {reason}" for pair, reason in NOT_RUN.items())
    terminalreporter.section("chaos")
    for line in text.splitlines():
        terminalreporter.write_line(line)
    if path := os.environ.get("CHAOS_REPORT"):
        Path(path).write_text(text + "\n")


# --- brokers ----------------------------------------------------------------------------------


@dataclass
class Broker:
    name: str
    url: str
    queue: str

    @property
    def relay_queue(self) -> str:
        return relay_queue_name(self.queue)

    @property
    def proof_queue(self) -> str:
        return proof_queue_name(self.queue)


def _require_postgres():
    if not ON_POSTGRES:
        pytest.skip("chaos tests need PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1/x")


def _redis_reachable(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {url} ({type(exc).__name__})")
    client.flushdb()


def _rabbitmq_reachable(url: str) -> None:
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1)
    except Exception as exc:
        pytest.skip(f"no RabbitMQ at {url} ({type(exc).__name__})")


def _delete_queues(url: str, queues: list[str]) -> None:
    """Remove the scenario's queues and their exchanges (Celery names each after its queue)
    from the shared RabbitMQ."""
    from kombu import Connection

    with Connection(url, connect_timeout=2) as conn:
        for name in queues:
            for delete in ("queue_delete", "exchange_delete"):
                try:
                    getattr(conn.default_channel, delete)(name)
                except Exception:
                    conn.close()  # a failed AMQP call closes the channel: start afresh


@pytest.fixture(params=["redis", "rabbitmq"])
def broker(request):
    """The broker the scenario runs on, with queues of its own (a unique name, purged)."""
    _require_postgres()
    queue = f"sealpost-chaos-{uuid.uuid4().hex[:8]}"
    if request.param == "redis":
        url = REDIS_URL
        _redis_reachable(url)
    else:
        url = RABBITMQ_URL
        _rabbitmq_reachable(url)
    target = Broker(request.param, url, queue)
    try:
        with celery_config(broker_url=url, task_always_eager=False, task_default_queue=queue):
            yield target
    finally:
        if request.param == "redis":
            import redis

            redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
        else:
            _delete_queues(url, [queue, target.relay_queue, target.proof_queue])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A `redis-server` of the test's own on a free port, without persistence: killing it
    loses whatever it held, like a broker that crashed."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.workdir / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path):
    """A dedicated Redis the scenario may kill and restart (never the shared one)."""
    _require_postgres()
    if shutil.which("redis-server") is None:
        pytest.skip("the broker-restart scenario needs redis-server on PATH")
    workdir = tmp_path / "redis"
    workdir.mkdir()
    server = RedisServer(workdir)
    server.start()
    queue = f"sealpost-chaos-{uuid.uuid4().hex[:8]}"
    try:
        with celery_config(
            broker_url=server.url, task_always_eager=False, task_default_queue=queue
        ):
            yield server, Broker("redis (own server)", server.url, queue)
    finally:
        server.kill()


# --- processes --------------------------------------------------------------------------------


@pytest.fixture
def esp():
    fake = FakePostmark().start()
    yield fake
    fake.stop()


@dataclass
class Cluster:
    worker: Worker
    beat: Beat

    def logs(self, chars: int = 3000) -> str:
        return f"--- worker ---\n{self.worker.tail(chars)}\n--- beat ---\n{self.beat.tail(800)}"


@pytest.fixture
def cluster(tmp_path, esp):
    """Starts `celery worker` (prefork, 2 processes) and `celery beat` (the relay every second)
    on a broker; both are stopped at the end."""
    started: list = []

    def start(broker: Broker, *, extra_env: dict | None = None) -> Cluster:
        n = len(started)
        worker = Worker(
            esp=esp,
            broker_url=broker.url,
            queue=broker.queue,
            log=tmp_path / f"worker-{n}.log",
            # The client's read timeout, so a slow answer is a timeout within the test.
            extra_env={"ANYMAIL_REQUESTS_TIMEOUT": "2", "MESSAGING_RETRY_MAX_SECONDS": "4"}
            | (extra_env or {}),
        )
        started.append(worker)
        workdir = tmp_path / f"beat-{n}"
        workdir.mkdir()
        beat = Beat(
            log=tmp_path / f"beat-{n}.log",
            broker_url=broker.url,
            queue=broker.queue,
            workdir=workdir,
        )
        started.append(beat)
        return Cluster(worker, beat)

    yield start
    for process in started:
        process.stop()


def all_final(message_ids) -> bool:
    ids = list(message_ids)
    return Message.objects.filter(pk__in=ids, status__in=FINAL).count() == len(ids)


def all_sent(message_ids) -> bool:
    ids = list(message_ids)
    return Message.objects.filter(pk__in=ids, status=Message.Status.SENT).count() == len(ids)


# --- the shipped supervisor (deploy/supervisord.conf) ---------------------------------------

SHIPPED_SUPERVISOR = Path(__file__).resolve().parents[2] / "deploy" / "supervisord.conf"


class Supervisor:
    """`supervisord -c deploy/supervisord.conf` as an operator runs it, its worker and beat
    pointed at the test's broker, database and fake ESP through the environment.

    Only the files it writes move to the test's directory (pid file, control socket, beat's
    schedule); the programs, their commands and restart policy are the shipped ones.
    """

    def __init__(self, workdir: Path, *, env: dict[str, str]):
        self.workdir = workdir
        self.log = workdir / "supervisord.log"
        text = SHIPPED_SUPERVISOR.read_text()
        for shipped, here in (
            ("%(here)s/../supervisord.pid", workdir / "supervisord.pid"),
            ("%(here)s/../supervisor.sock", workdir / "supervisor.sock"),
            ("%(here)s/../celerybeat-schedule", workdir / "celerybeat-schedule"),
            ("%(here)s/..", SHIPPED_SUPERVISOR.parent.parent),
        ):
            assert shipped in text, f"{shipped} is no longer in {SHIPPED_SUPERVISOR}"
            text = text.replace(shipped, str(here))
        self.config = workdir / "supervisord.conf"
        self.config.write_text(text)
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [str(Path(sys.executable).parent / "supervisord"), "-c", str(self.config)],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def tail(self, chars: int = 4000) -> str:
        return self.output()[-chars:]

    def spawned(self, program: str) -> list[int]:
        """The pids supervisord started `program` with, in order."""
        return [
            int(pid) for pid in re.findall(rf"spawned: '{program}' with pid (\d+)", self.output())
        ]

    def exits(self, program: str) -> int:
        """How often `program` exited (and was, or will be, started again)."""
        return len(re.findall(rf"exited: {program} ", self.output()))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        # Whatever outlived it (programs run in process groups of their own).
        for pid in self.spawned("worker") + self.spawned("beat"):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)


@pytest.fixture
def supervised(tmp_path, esp):
    """Starts the shipped supervisord on a broker; stopped (with its programs) at the end."""
    started: list[Supervisor] = []

    def start(broker: Broker, *, extra_env: dict | None = None) -> Supervisor:
        workdir = tmp_path / f"supervisor-{len(started)}"
        workdir.mkdir()
        env = celery_env(esp=esp, broker_url=broker.url, queue=broker.queue, extra=extra_env)
        supervisor = Supervisor(workdir, env=env)
        started.append(supervisor)
        return supervisor

    yield start
    for supervisor in started:
        supervisor.stop()
