"""What a real Celery worker costs per order around the document build, and whether batching
changes a single order's wait.

    python -m bench.worker_efficiency [--backlog 1000] [--singles 40] [--batch 10]
                                      [--baseline /path/to/another/checkout]
                                      [--skip-unbatched]

On a fresh PostgreSQL database (`sealpost_scale_batching`), a Redis broker
(`BENCH_EFFICIENCY_BROKER_URL`, default db 7), real `celery -A config worker` processes and
the fault suite's fake Postmark on 127.0.0.1:8871 (Anymail's real Postmark backend over HTTP):

- **Bare build.** In this process, warmed up and its start-up objects frozen as a worker's
  are: CPU per order of drawing and encrypting the order's PDF alone
  (`compose.build_pinned_attachment`, the context read beforehand), median of `--bare` orders.
- **Backlog.** `--backlog` orders are placed as checkout places them (outbox row in the
  order's transaction, published on commit) while the worker listens to another queue; once
  it is warm it is told to consume the orders' queue, and its CPU (the main process and its
  pool) is read until the ESP accepted the last one. Worker CPU per order, and efficiency =
  bare build CPU per order / worker CPU per order (1.0: the worker adds nothing to the
  build), with `--concurrency 1` and 2, for each variant: `MESSAGING_BATCH_SIZE=1` (one
  message per claim, as before batching), `--batch`, and — with `--baseline` — the worker
  run from another checkout (e.g. the main branch) on the same database. Beside it, the
  build's median wall time as the worker timed it (its history's "attachment built" lines)
  over the bare build's: what drawing costs inside the worker.
- **Single orders.** On an idle worker (`--concurrency 2`), `--singles` orders one at a time,
  each placed once the previous one was accepted: commit → accepted by the ESP, p50 and p95.

Every figure comes from this one run; compare them with each other, not with another
machine's. Nothing here is a test: the figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import io
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

from bench import scale_data

DATABASE = f"{scale_data.PREFIX}_batching"
BROKER = os.environ.get("BENCH_EFFICIENCY_BROKER_URL", "redis://127.0.0.1:6379/7")
QUEUE = "bench-efficiency"
IDLE_QUEUE = f"{QUEUE}.idle"  # what a worker listens to while it warms up
ESP_PORT = 8871
TOKEN = "bench-postmark-token"  # noqa: S105 - the fake ESP's, checked by nothing real
BASE_DIR = Path(__file__).resolve().parent.parent
LOGS = Path(tempfile.mkdtemp(prefix="sealpost-efficiency-"))
atexit.register(shutil.rmtree, LOGS, ignore_errors=True)

os.environ.update(
    DATABASE_URL=scale_data.database_url(DATABASE),
    DJANGO_SETTINGS_MODULE="config.settings",
    SECRET_KEY="bench-only-not-secret-" + "x" * 40,
    DOCUMENT_PASSWORD_KEY="bench-only-not-secret-document-key",  # noqa: S106 - throwaway
    CELERY_BROKER_URL=BROKER,
    CELERY_TASK_DEFAULT_QUEUE=QUEUE,
    MESSAGING_RELAY_QUEUE=f"{QUEUE}.relay",
    MESSAGING_PROOF_QUEUE=f"{QUEUE}.proofs",
    EMAIL_BACKEND="anymail.backends.postmark.EmailBackend",
    ANYMAIL_POSTMARK_SERVER_TOKEN=TOKEN,
    ANYMAIL_POSTMARK_API_URL=f"http://127.0.0.1:{ESP_PORT}/",
    MESSAGING_RECIPIENT_DAILY_LIMIT="0",
)


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and of its live children (a worker's pool)."""
    from tests.harness import child_pids

    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for each in [pid, *child_pids(pid)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


class Worker:
    """`celery -A config worker` from `code` (a checkout), listening to the idle queue until
    `consume` is called; ended by its own process group id."""

    def __init__(self, *, code: Path, concurrency: int, batch: int):
        self.hostname = f"bench-efficiency-{time.monotonic_ns()}@localhost"
        env = {**os.environ, "MESSAGING_BATCH_SIZE": str(batch)}
        with (LOGS / "worker.log").open("ab") as output:
            self.popen = subprocess.Popen(  # noqa: S603 - our own fixed command line
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--pool=prefork",
                    f"--concurrency={concurrency}",
                    "--loglevel=WARNING",
                    "--without-gossip",
                    "--without-mingle",
                    f"--hostname={self.hostname}",
                    f"-Q{IDLE_QUEUE}",
                ],
                cwd=code,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_warm(self, concurrency: int) -> None:
        """Until its pool processes exist and its CPU stopped moving (warm-up done)."""
        from tests.harness import child_pids

        deadline = time.monotonic() + 60
        last = -1.0
        while time.monotonic() < deadline:
            time.sleep(1.0)
            now = cpu_seconds(self.popen.pid)
            if len(child_pids(self.popen.pid)) >= concurrency and abs(now - last) < 0.02:
                return
            last = now
        raise SystemExit(f"the worker did not start: see {LOGS / 'worker.log'}")

    def consume(self) -> None:
        from config.celery import app

        reply = app.control.add_consumer(QUEUE, destination=[self.hostname], reply=True)
        if not reply:
            raise SystemExit("the worker did not answer add_consumer")

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()


def fake_esp():
    """The fault suite's fake Postmark, on this benchmark's port."""
    from tests.messaging.fake_esp import FakePostmark

    esp = FakePostmark()
    handler = esp.server.RequestHandlerClass
    esp.server.server_close()
    esp.server = ThreadingHTTPServer(("127.0.0.1", ESP_PORT), handler)
    esp.server.daemon_threads = True
    esp.thread = threading.Thread(target=esp.server.serve_forever, daemon=True)
    return esp.start()


def place_order() -> tuple[int, float]:
    """One order completed as checkout completes it: (message id, commit time)."""
    from django.db import transaction

    from messaging.models import Message
    from shop.models import Order
    from shop.signals import order_completed
    from tests.factories import OrderFactory

    with transaction.atomic():
        order = OrderFactory()
        order_completed.send(sender=Order, order=order)
    committed = time.time()
    message = Message.objects.filter(event__reference=order.number).values_list("pk", flat=True)
    return message.get(), committed


def purge_broker() -> None:
    from config.celery import app

    with app.connection_for_write() as broker:
        for queue in (QUEUE, IDLE_QUEUE):
            # A queue that does not exist yet holds nothing.
            with contextlib.suppress(Exception):
                broker.default_channel.queue_purge(queue)


def accepted_ids(esp) -> set[int]:
    return {int(m) for m in esp.sent_message_ids() if m}


def bare_build_cpu(orders: int) -> tuple[float, float]:
    """(CPU, wall) seconds per order of the bare build in this process, medians, warm and
    frozen."""
    from messaging.compose import build_pinned_attachment, context_and_token
    from messaging.models import Message

    messages = list(
        Message.objects.select_related("event", "template_revision").order_by("-pk")[:orders]
    )
    jobs = []
    for message in messages:
        context, token = context_and_token(message)
        for link in message.attachment_links.select_related("attachment_revision__template"):
            jobs.append((link.attachment_revision, context, token))
    build_pinned_attachment(*jobs[0])  # the first one warms up
    gc.collect()
    gc.freeze()
    cpu, wall = [], []
    for job in jobs:
        started, started_wall = time.process_time(), time.perf_counter()
        build_pinned_attachment(*job)
        cpu.append(time.process_time() - started)
        wall.append(time.perf_counter() - started_wall)
    return statistics.median(cpu), statistics.median(wall)


def build_in_worker(ids: set[int]) -> float:
    """The median wall time of the PDF build as the worker timed it (the history's "attachment
    built" lines: render, draw, encrypt and prove, inside the task)."""
    from messaging.models import MessageEvent

    durations = MessageEvent.objects.filter(
        message_id__in=ids, kind=MessageEvent.Kind.ATTACHMENT_BUILT
    ).values_list("duration", flat=True)
    return statistics.median(d for d in durations if d is not None)


def backlog(
    esp, *, code: Path, concurrency: int, batch: int, count: int
) -> tuple[float, float, float]:
    """(worker CPU seconds per order, wall seconds, the build's median wall time inside the
    worker) draining `count` orders."""
    from messaging.models import Message

    purge_broker()
    Message.objects.all().delete()
    esp.requests.clear()
    worker = Worker(code=code, concurrency=concurrency, batch=batch)
    try:
        worker.wait_warm(concurrency)
        ids = {place_order()[0] for _ in range(count)}
        before = cpu_seconds(worker.popen.pid)
        started = time.perf_counter()
        worker.consume()
        while not ids <= accepted_ids(esp):
            time.sleep(0.1)
        wall = time.perf_counter() - started
        # The last outcome write lands just after the ESP's acceptance.
        while Message.objects.filter(pk__in=ids, status=Message.Status.SENDING).exists():
            time.sleep(0.05)
        spent = cpu_seconds(worker.popen.pid) - before
        copies = len(esp.sent_message_ids()) - len(ids)
        if copies:
            print(f"    ({copies} duplicate copies at the ESP)")
        return spent / count, wall, build_in_worker(ids)
    finally:
        worker.stop()


def singles(esp, *, code: Path, batch: int, count: int) -> list[float]:
    """Commit → ESP acceptance of `count` orders, one at a time, on an idle worker."""
    from messaging.models import Message

    purge_broker()
    Message.objects.all().delete()
    esp.requests.clear()
    worker = Worker(code=code, concurrency=2, batch=batch)
    waits = []
    try:
        worker.wait_warm(2)
        worker.consume()
        time.sleep(1.0)
        for _ in range(count):
            message_id, committed = place_order()
            while True:
                accepted = [
                    r["received_at"] for r in esp.accepted() if r["message_id"] == str(message_id)
                ]
                if accepted:
                    waits.append(accepted[0] - committed)
                    break
                time.sleep(0.002)
            time.sleep(0.2)
    finally:
        worker.stop()
    return waits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backlog", type=int, default=1000, help="orders in each backlog")
    parser.add_argument("--singles", type=int, default=40, help="single orders timed")
    parser.add_argument("--bare", type=int, default=40, help="orders in the bare build")
    parser.add_argument("--batch", type=int, default=10, help="MESSAGING_BATCH_SIZE to test")
    parser.add_argument("--baseline", type=Path, help="another checkout to run workers from")
    parser.add_argument(
        "--skip-unbatched", action="store_true", help="no MESSAGING_BATCH_SIZE=1 variant"
    )
    options = parser.parse_args()

    scale_data.recreate_database(DATABASE)
    scale_data.migrate(os.environ["DATABASE_URL"])
    import django

    django.setup()
    import logging

    from django.core.management import call_command

    logging.disable(logging.INFO)
    call_command("seed_demo", stdout=io.StringIO())
    esp = fake_esp()
    variants = [(f"this checkout, batch {options.batch}", BASE_DIR, options.batch)]
    if not options.skip_unbatched:
        variants.insert(0, ("this checkout, batch 1", BASE_DIR, 1))
    if options.baseline:
        variants.insert(0, (f"{options.baseline}", options.baseline, 1))
    try:
        for _ in range(3):
            place_order()
        bare, bare_wall = bare_build_cpu(options.bare)
        print(
            f"Bare build (this process, warm, frozen): {bare * 1000:.1f} ms CPU, "
            f"{bare_wall * 1000:.1f} ms wall per order\n"
        )
        print(f"Backlog of {options.backlog:,} orders, worker CPU per order (efficiency):")
        for label, code, batch in variants:
            row = []
            for concurrency in (1, 2):
                per_order, wall, inside = backlog(
                    esp, code=code, concurrency=concurrency, batch=batch, count=options.backlog
                )
                row.append(
                    f"c{concurrency}: {per_order * 1000:5.1f} ms ({bare / per_order:.2f}, "
                    f"{options.backlog / wall:5.1f} orders/s, build inside "
                    f"{inside / bare_wall:.2f}x bare)"
                )
            print(f"  {label:<34} " + "   ".join(row))
        print(f"\nSingle orders on an idle worker, commit → accepted ({options.singles} each):")
        for label, code, batch in variants:
            waits = singles(esp, code=code, batch=batch, count=options.singles)
            print(
                f"  {label:<34} p50 {p(waits, 0.5) * 1000:6.1f} ms   "
                f"p95 {p(waits, 0.95) * 1000:6.1f} ms"
            )
    finally:
        esp.stop()
        purge_broker()
        from django.db import connection

        connection.close()
        scale_data.drop_database(DATABASE)


if __name__ == "__main__":
    main()
