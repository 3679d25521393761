"""Real processes for worker and chaos tests: `celery worker`, `celery beat`, orders, waiting.

The processes are pointed at pytest-django's test database (the tests using them are
`transaction=True`, so what they write is committed and visible), at a broker the test chose
and at a fake Postmark (tests/messaging/fake_esp.py) that counts what was really sent.
"""

from __future__ import annotations

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

from messaging.models import Message
from shop.models import Order
from shop.signals import order_completed
from tests.factories import OrderFactory
from tests.messaging.conftest import TOKEN
from tests.messaging.fake_esp import FakePostmark
from tests.messaging.helpers import messages_of

BASE_DIR = Path(settings.BASE_DIR)

# Short timings so a lost claim, a retry or a relay sweep happens within a test.
FAST_TIMINGS = {
    "CELERY_TASK_SOFT_TIME_LIMIT": "8",
    "CELERY_TASK_TIME_LIMIT": "9",
    "MESSAGING_CLAIM_SECONDS": "10",
    "MESSAGING_RELAY_GRACE_SECONDS": "3",
    "MESSAGING_RELAY_INTERVAL_SECONDS": "1",
    "MESSAGING_RETRY_BASE_SECONDS": "1",
    "MESSAGING_SENDER_RETRY_SECONDS": "2",
    # Within the soft limit, as `manage.py check` asks (messaging.E003): 2 × 2 s + 4 s.
    "ANYMAIL_REQUESTS_TIMEOUT": "2",
    "MESSAGING_OUTCOME_WRITE_SECONDS": "4",
}


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def relay_queue_name(queue: str) -> str:
    """The relay's queue: `MESSAGING_RELAY_QUEUE`, else `<default queue>.relay`."""
    return os.environ.get("MESSAGING_RELAY_QUEUE") or f"{queue}.relay"


def proof_queue_name(queue: str) -> str:
    """The proofs' queue: `MESSAGING_PROOF_QUEUE`, else `<default queue>.proofs`."""
    return os.environ.get("MESSAGING_PROOF_QUEUE") or f"{queue}.proofs"


def celery_env(
    *, esp: FakePostmark | None, broker_url: str, queue: str, extra: dict | None = None
) -> dict[str, str]:
    """The environment of a worker, beat or management command run by a test."""
    env = {
        **os.environ,
        **FAST_TIMINGS,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "MESSAGING_RELAY_QUEUE": relay_queue_name(queue),
        "MESSAGING_PROOF_QUEUE": proof_queue_name(queue),
    }
    if esp is not None:
        env |= {
            "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
            "ANYMAIL_POSTMARK_SERVER_TOKEN": TOKEN,
            "ANYMAIL_POSTMARK_API_URL": esp.url,
        }
    return env | (extra or {})


class CeleryProcess:
    """One `celery` process group (prefork children included), killed at the end."""

    def __init__(self, command: list[str], *, env: dict[str, str], log: Path):
        self.log = log
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", *command],
                cwd=BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill the children too
            )

    @property
    def pid(self) -> int:
        return self.process.pid

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

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]


class Worker(CeleryProcess):
    """`celery worker`, prefork, consuming the default queue and the relay's queue."""

    def __init__(
        self,
        *,
        esp: FakePostmark,
        log: Path,
        broker_url: str,
        queue: str | None = None,
        beat_schedule: Path | None = None,
        concurrency: int = 2,
        extra_env: dict | None = None,
    ):
        queue = queue or settings.CELERY_TASK_DEFAULT_QUEUE
        env = celery_env(esp=esp, broker_url=broker_url, queue=queue, extra=extra_env)
        command = [
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            f"--hostname=test-{uuid.uuid4().hex[:8]}@%h",
            # The queues from the environment the worker reads, whatever routes the relay
            # and the proofs.
            f"-Q{env['CELERY_TASK_DEFAULT_QUEUE']},{env['MESSAGING_RELAY_QUEUE']},"
            f"{env['MESSAGING_PROOF_QUEUE']}",
        ]
        if beat_schedule is not None:
            command += ["--beat", f"--schedule={beat_schedule}"]
        super().__init__(command, env=env, log=log)

    def children(self) -> list[int]:
        """The pool's processes (the parent respawns one that dies)."""
        return child_pids(self.pid)


class Beat(CeleryProcess):
    """`celery beat` on its own: the relay sweep every MESSAGING_RELAY_INTERVAL_SECONDS."""

    def __init__(self, *, log: Path, broker_url: str, queue: str, workdir: Path):
        env = celery_env(esp=None, broker_url=broker_url, queue=queue)
        command = [
            "beat",
            "--loglevel=INFO",
            f"--schedule={workdir / 'beat-schedule'}",
            f"--pidfile={workdir / 'beat.pid'}",
        ]
        super().__init__(command, env=env, log=log)


def child_pids(parent: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")".
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == parent:
            children.append(int(entry.name))
    return sorted(children)


def pid_with_connection(pids: list[int], *, local_port: int, remote_port: int) -> int | None:
    """Which of `pids` owns the TCP connection 127.0.0.1:local_port → :remote_port."""
    wanted = f":{local_port:04X}"
    remote = f":{remote_port:04X}"
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[1].endswith(wanted) and fields[2].endswith(remote):
                inodes.add(f"socket:[{fields[9]}]")
    for pid in pids:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) in inodes:
                    return pid
            except OSError:
                continue
    return None


def place_orders(count: int) -> list[int]:
    """Orders completed as checkout does: the signal inside the transaction, publish on commit."""
    ids = []
    for _ in range(count):
        with transaction.atomic():
            order = OrderFactory()
            order_completed.send(sender=Order, order=order)
        ids.append(messages_of(order).get().pk)
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


def settle(predicate, *, timeout: float, interval: float = 0.25) -> tuple[bool, float]:
    """Wait until `predicate()`; returns whether it came true and the seconds it took."""
    started = time.monotonic()
    while True:
        if predicate():
            return True, time.monotonic() - started
        if time.monotonic() - started > timeout:
            return False, time.monotonic() - started
        time.sleep(interval)
