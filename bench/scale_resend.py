"""Does `resend_confirmations` keep its memory flat and its pace over 100,000 orders?

    python -m bench.scale_resend [--orders 100000]

On a fresh generated PostgreSQL database (`sealpost_scale_resend`, `bench.scale_data`: one
confirmation and three history lines per order), the command runs in this process twice, as an
operator would: `--dry-run`, then for real, every order selected (`--since` a year ago). The
real run publishes each resend to a Redis broker (db 7, emptied afterwards) with no worker
listening: the benchmark is about queueing, not delivery. Printed: rows per second, the peak
RSS growth over the process's size before the run (Linux's high-water mark, reset before each
run) against the 50 MB target, and the number of transactions the real run committed.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from bench import scale_data

DATABASE = f"{scale_data.PREFIX}_resend"
BROKER = os.environ.get("BENCH_RESEND_BROKER_URL", "redis://127.0.0.1:6379/7")
TARGET_MB = 50


def rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def reset_peak() -> None:
    """Reset VmHWM (the peak RSS) to the current RSS (Linux ≥ 4.0)."""
    Path("/proc/self/clear_refs").write_text("5")


class Sink:
    """A stdout that counts lines and keeps none (the dry run prints one per order)."""

    def __init__(self):
        self.lines = 0

    def write(self, text: str) -> None:
        self.lines += text.count("\n")

    def flush(self) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    options = parser.parse_args()

    seconds, _ = scale_data.ensure_dataset(DATABASE, orders=options.orders, events=3, fresh=True)
    os.environ["DATABASE_URL"] = scale_data.database_url(DATABASE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("DOCUMENT_PASSWORD_KEY", "bench-only-not-secret")
    os.environ["EVENT_DATA_KEYS"] = scale_data.EVENT_DATA_KEY  # the generated events' key
    os.environ["CELERY_BROKER_URL"] = BROKER
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = "bench-scale-resend"
    import django

    django.setup()
    import logging

    from django.core.management import call_command
    from django.db import connection

    from config.celery import app
    from demo.emails import seed_message_templates
    from messaging.models import Message

    logging.disable(logging.WARNING)  # no worker listens; the publishes are the point
    seed_message_templates()
    since = (
        Message.objects.order_by("created_at").values_list("event__created_at", flat=True).first()
    ).date()
    commits = []
    # Every transaction.atomic() block that commits goes through `connection.commit`.
    committed = [0]
    commit = connection.commit

    def counting_commit():
        committed[0] += 1
        commit()

    connection.commit = counting_commit

    print(
        f"resend_confirmations over {options.orders:,} generated orders (PostgreSQL "
        f"{DATABASE}, generated in {seconds:.0f} s; broker Redis, nothing consuming)"
    )
    print(f"  {'run':<10} {'rows':>8} {'seconds':>8} {'rows/s':>8} {'peak RSS +MB':>13}")
    for label, extra in [("dry run", ["--dry-run"]), ("real", [])]:
        out = Sink()
        baseline = rss_kb("VmRSS")
        reset_peak()
        transactions_before = committed[0]
        started = time.perf_counter()
        call_command(
            "resend_confirmations",
            "--since",
            since.isoformat(),
            "--reason",
            "bench",
            *extra,
            stdout=out,
            stderr=Sink(),
        )
        elapsed = time.perf_counter() - started
        growth = (rss_kb("VmHWM") - baseline) / 1024
        commits.append(committed[0] - transactions_before)
        flag = "" if growth <= TARGET_MB else "  OVER"
        print(
            f"  {label:<10} {options.orders:8,} {elapsed:8.1f} {options.orders / elapsed:8.0f}"
            f" {growth:13.1f}{flag}"
        )
    resends = Message.objects.filter(resend_of__isnull=False).count()
    print(
        f"  real run: {resends:,} resends queued in {commits[-1]:,} transactions "
        f"(target: chunks, never one for all); peak RSS growth target ≤ {TARGET_MB} MB"
    )
    with app.connection_for_write() as broker:
        broker.default_channel.client.flushdb()  # db 7 is this benchmark's own
    connection.close()
    if not options.keep:
        scale_data.drop_database(DATABASE)


if __name__ == "__main__":
    main()
