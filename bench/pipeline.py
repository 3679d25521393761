"""How much does the delivery pipeline add to the attachment build, and does it scale?

    python -m bench.pipeline [--orders 40]

Per order: claim the outbox row, build the flat context, render subject/text/HTML, build the
encrypted PDF, send through Anymail's test backend and record the outcome (the real
`messaging.services.deliver_message`, on a throwaway SQLite database). It prints orders/second
for the attachment build alone and for the whole pipeline, in one process and in two worker
processes, with the ratios the targets are about: the pipeline adds at most 10% to the
attachment build; two processes deliver at least 1.8x one.
"""

from __future__ import annotations

import argparse
import atexit
import multiprocessing
import os
import shutil
import tempfile
import time
from pathlib import Path
from unittest import mock

# In memory when the system has a tmpfs: the benchmark measures the pipeline, not this disk.
_SHM = Path("/dev/shm")  # noqa: S108 - mkdtemp below makes a private directory in it
_TMP = Path(tempfile.mkdtemp(prefix="sealpost-bench-", dir=_SHM if _SHM.is_dir() else None))
# /dev/shm is memory: every run used to leave its ~2.5 MB database there. Forked workers end
# with os._exit, so only the parent removes it.
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# No secrets, no broker, no ESP: a throwaway key, eager tasks, Anymail's test backend.
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("DOCUMENT_PASSWORD_KEY", "bench-only-not-secret")
os.environ["DATABASE_URL"] = f"sqlite:///{_TMP / 'bench.sqlite3'}"
os.environ["EMAIL_BACKEND"] = "anymail.backends.test.EmailBackend"
os.environ.pop("CELERY_BROKER_URL", None)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# Two processes write to one SQLite file: take the write lock up front (no upgrade deadlocks),
# let readers and the writer overlap (WAL), and do not fsync every commit: the benchmark is
# about the pipeline's CPU, not this disk (production runs PostgreSQL).
settings.DATABASES["default"]["OPTIONS"] = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": "PRAGMA synchronous=NORMAL",
}

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

from attachments.documents import build_attachment, document_password  # noqa: E402
from messaging import services  # noqa: E402
from messaging.demo import seed_message_templates  # noqa: E402
from messaging.models import Event, Message  # noqa: E402
from shop.documents import order_context  # noqa: E402
from tests.factories import OrderFactory  # noqa: E402


def prepare(count: int) -> list[int]:
    """Queued messages for `count` new orders (not delivered: the publish is switched off)."""
    with mock.patch.object(services, "publish_delivery", return_value=True):
        orders = [OrderFactory() for _ in range(count)]
        return [
            services.queue_message(order=order, event=Event.ORDER_CONFIRMATION).pk
            for order in orders
        ]


def attachment_jobs(message_ids: list[int]) -> list[tuple]:
    """(revision, context, password) for each message's attachments, prepared beforehand."""
    jobs = []
    for message in Message.objects.filter(pk__in=message_ids).select_related("order__customer"):
        context = order_context(message.order)
        for link in message.attachment_links.select_related("attachment_revision"):
            revision = link.attachment_revision
            password = document_password(revision, context=context, token=message.order.token)
            jobs.append((revision, context, password))
    return jobs


def build_attachments_only(message_ids: list[int]) -> float:
    """Seconds for `build_attachment` alone (the baseline)."""
    jobs = attachment_jobs(message_ids)
    started = time.perf_counter()
    for revision, context, password in jobs:
        build_attachment(revision, context, password)
    return time.perf_counter() - started


def deliver(message_ids: list[int]) -> float:
    """Seconds to run the whole pipeline for each message."""
    started = time.perf_counter()
    for message_id in message_ids:
        message = services.deliver_message(message_id=message_id)
        assert message is not None
        assert message.status == Message.Status.SENT
    return time.perf_counter() - started


def interleaved(baseline_ids: list[int], pipeline_ids: list[int]) -> tuple[float, float]:
    """Seconds for the baseline and for the pipeline, one order of each in turn, so a change
    in the machine's load (shared CI runners) weighs on both alike."""
    jobs = attachment_jobs(baseline_ids)
    attachment_s = pipeline_s = 0.0
    for (revision, context, password), message_id in zip(jobs, pipeline_ids, strict=True):
        started = time.perf_counter()
        build_attachment(revision, context, password)
        attachment_s += time.perf_counter() - started
        pipeline_s += deliver([message_id])
    return attachment_s, pipeline_s


def _worker(job, message_ids, barrier, results):
    connections.close_all()  # a fresh connection per process
    services.warm_up()
    services.freeze_startup_objects()  # as messaging.tasks does in each worker process
    barrier.wait()
    started = time.perf_counter()
    job(message_ids)
    results.put((started, time.perf_counter()))


def in_processes(job, message_ids: list[int], processes: int) -> float:
    """Wall-clock seconds for `processes` warmed-up processes to run `job` on the messages."""
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(processes), context.Queue()
    connections.close_all()
    workers = [
        context.Process(target=_worker, args=(job, message_ids[i::processes], barrier, results))
        for i in range(processes)
    ]
    for worker in workers:
        worker.start()
    spans = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
        if worker.exitcode:
            raise SystemExit(f"a worker process failed ({worker.exitcode})")
    return max(end for _, end in spans) - min(start for start, _ in spans)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=40, help="orders per measurement")
    count = parser.parse_args().orders

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
    seed_message_templates()
    baseline_ids, single_ids, multi_ids = prepare(count), prepare(count), prepare(2 * count)
    deliver(prepare(1))  # first render in this process: imports and fonts
    services.freeze_startup_objects()  # as messaging.tasks does in each worker process

    attachment_s, pipeline_s = interleaved(baseline_ids, single_ids)
    rate = {
        "attachment build alone, 1 process": count / attachment_s,
        "whole pipeline, 1 process": count / pipeline_s,
        "attachment build alone, 2 processes": 2
        * count
        / in_processes(build_attachments_only, baseline_ids + single_ids, 2),
        "whole pipeline, 2 processes": 2 * count / in_processes(deliver, multi_ids, 2),
    }
    print(f"{count} orders per measurement ({2 * count} with two processes)")
    for label, value in rate.items():
        print(f"  {label:<36} {value:6.2f} orders/s  ({1000 / value:6.1f} ms/order)")
    overhead = rate["attachment build alone, 1 process"] / rate["whole pipeline, 1 process"] - 1
    scaling = rate["whole pipeline, 2 processes"] / rate["whole pipeline, 1 process"]
    print(
        f"  pipeline time / attachment time      {1 + overhead:6.3f}"
        f"  (+{overhead:.1%}; target ≤ +10%)"
    )
    print(f"  2 processes / 1 process              {scaling:6.2f}x (target ≥ 1.8x)")
    ceiling = (
        rate["attachment build alone, 2 processes"] / rate["attachment build alone, 1 process"]
    )
    print(f"  (attachment build alone scales {ceiling:.2f}x here: the machine's own ceiling)")


if __name__ == "__main__":
    main()
