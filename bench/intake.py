"""How fast does the HTTP API take events in, and what does intake cost next to a document?

    python -m bench.intake [--batches 8] [--singles 1200] [--clients 8] [--web-workers 2]

Real processes: gunicorn (`config.wsgi`, sync workers, one per core by default) on
127.0.0.1:8830 over a fresh PostgreSQL database (`sealpost_scale_intake`, dropped after), with
a Celery broker (Redis, `BENCH_INTAKE_BROKER_URL`, db 8 by default) that no worker consumes: each
accepted event is published on commit the way production publishes it, and its queue is purged
at the end. The events are `order_confirmation`s built from the type's example, each to its
own recipient with its own order number and idempotency key (so every one is new: written,
encrypted, its message queued and published).

Printed, per endpoint:

- `POST /api/v1/events/batch`, `--batches` requests of 500 events, one after another: events/s
  (target ≥ 1,000/s on a 2-core machine), p50/p95 per request;
- `POST /api/v1/events` from `--clients` concurrent clients (threads of this script, one
  keep-alive connection each): events/s (target ≥ 200/s), p50/p95 per request;
- intake CPU per event: the gunicorn workers' user + system CPU (/proc/<pid>/stat) over the
  phase divided by its events, beside PostgreSQL's (every `postgres` process on the machine,
  so another cluster's too), and as a share of one document build's CPU measured in this
  same process (`build_attachment` of the demo document for a 5-line order, as
  `bench.attachments` builds it; the median of `--builds`): the target is ≤ 5 %.

The clients run on the same 2 cores as the server: a client's CPU is not the server's, so the
CPU figures are the server's own, but the rates are what this machine does with both.
No timed test anywhere: these figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import copy
import http.client
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench import scale_data
from bench.scale_workers import Process, cpu_by_name, cpu_seconds, p

DATABASE = f"{scale_data.PREFIX}_intake"
BROKER = os.environ.get("BENCH_INTAKE_BROKER_URL", "redis://127.0.0.1:6379/8")
QUEUE = "bench-intake"
WEB_PORT = int(os.environ.get("BENCH_INTAKE_PORT", "8830"))
BATCH = 500
LOGS = Path(tempfile.mkdtemp(prefix="sealpost-intake-"))

os.environ.update(
    DATABASE_URL=scale_data.database_url(DATABASE),
    DJANGO_SETTINGS_MODULE="config.settings",
    SECRET_KEY="bench-only-not-secret-" + "x" * 40,
    DOCUMENT_PASSWORD_KEY="bench-only-not-secret-document-key",  # noqa: S106 - throwaway
    CELERY_BROKER_URL=BROKER,
    CELERY_TASK_DEFAULT_QUEUE=QUEUE,
    MESSAGING_RELAY_QUEUE=f"{QUEUE}.relay",
    MESSAGING_PROOF_QUEUE=f"{QUEUE}.proofs",
    ALLOWED_HOSTS="127.0.0.1",
    MESSAGING_RECIPIENT_DAILY_LIMIT="0",
)


def gunicorn(workers: int) -> Process:
    process = Process(
        [
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{WEB_PORT}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
        ],
        log="gunicorn.log",
    )
    deadline = time.monotonic() + 60
    while True:
        if process.popen.poll() is not None:
            raise SystemExit(f"gunicorn exited (port {WEB_PORT} in use?)\n{server_log()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", WEB_PORT, timeout=2)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return process
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start\n{server_log()}") from None
            time.sleep(0.3)


def server_log() -> str:
    path = LOGS / "gunicorn.log"
    return path.read_text(errors="replace")[-4000:] if path.exists() else ""


class Events:
    """Realistic order confirmations: the type's example, each to another customer."""

    def __init__(self, example: dict):
        self.example = example
        self.count = 0
        self.run = uuid.uuid4().hex[:8]

    def next(self) -> dict:
        self.count += 1
        n = self.count
        data = copy.deepcopy(self.example)
        number = f"WEB-{self.run}-{n:06d}"
        data["order"]["number"] = number
        data["customer"]["first_name"] = f"Kund{n}"
        data["customer"]["email"] = f"kund{n}@example.com"
        return {
            "type": "order_confirmation",
            "recipient": {"email": f"kund{n}@example.com", "name": f"Kund{n} Nummer"},
            "language": ("sv", "en")[n % 2],
            "data": data,
            "reference": number,
            "idempotency_key": f"order:{number}",
        }


class Client:
    """One keep-alive HTTP connection to the server, posting JSON with the key."""

    def __init__(self, key: str):
        self.headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        self.connection = http.client.HTTPConnection("127.0.0.1", WEB_PORT, timeout=300)

    def post(self, path: str, body: bytes, expect: int) -> dict:
        try:
            self.connection.request("POST", path, body, self.headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):  # gunicorn's sync workers close it
            self.connection.close()
            self.connection.request("POST", path, body, self.headers)
            response = self.connection.getresponse()
        text = response.read()
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        if response.status != expect:
            raise SystemExit(f"{path} answered {response.status}: {text[:500]!r}\n{server_log()}")
        return json.loads(text)


def workers_cpu(master: int) -> float:
    """The gunicorn workers' CPU (the master's own is start-up and supervision)."""
    from tests.harness import child_pids

    return sum(cpu_seconds(pid) for pid in child_pids(master))


def measured(master: int, phase) -> tuple:
    """Run `phase` → (wall s, workers' CPU s, PostgreSQL CPU s, request seconds, events, the
    load average at the end: what else the machine was running weighs on the rates)."""
    cpu_before, pg_before = workers_cpu(master), cpu_by_name(("postgres",))["postgres"]
    started = time.perf_counter()
    timings, events = phase()
    wall = time.perf_counter() - started
    cpu = workers_cpu(master) - cpu_before
    pg = cpu_by_name(("postgres",))["postgres"] - pg_before
    return wall, cpu, pg, timings, events, os.getloadavg()[0]


def batches(key: str, events: Events, count: int):
    def phase():
        client, timings = Client(key), []
        for _ in range(count):
            body = json.dumps({"events": [events.next() for _ in range(BATCH)]}).encode()
            started = time.perf_counter()
            results = client.post("/api/v1/events/batch", body, 207)["results"]
            timings.append(time.perf_counter() - started)
            if refused := [r for r in results if r["status"] != 202]:
                raise SystemExit(f"refused in a batch: {refused[:3]}")
        return timings, count * BATCH

    return phase


def singles(key: str, events: Events, count: int, clients: int):
    bodies = [json.dumps(events.next()).encode() for _ in range(count)]

    def phase():
        timings: list[float] = []
        lock = threading.Lock()
        failures: list[BaseException] = []

        def run(share: list[bytes]) -> None:
            client, own = Client(key), []
            try:
                for body in share:
                    started = time.perf_counter()
                    client.post("/api/v1/events", body, 202)
                    own.append(time.perf_counter() - started)
            except BaseException as exc:  # reported by the main thread
                failures.append(exc)
            with lock:
                timings.extend(own)

        threads = [threading.Thread(target=run, args=(bodies[i::clients],)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]
        return timings, count

    return phase


def build_cpu(builds: int) -> float:
    """CPU seconds of one document build (median), the demo document for a 5-line order."""
    from attachments.api import build_attachment, generated_password
    from attachments.models import AttachmentTemplate
    from demo.documents import CSS, HTML
    from shop.documents import sample_order_context

    template = AttachmentTemplate(name="Order confirmation", html=HTML, css=CSS)
    context = sample_order_context(5)
    password = generated_password("bench-order-token")
    build_attachment(template, context, password)  # fonts, parses
    cpu = []
    for _ in range(builds):
        started = time.process_time()
        build_attachment(template, context, password)
        cpu.append(time.process_time() - started)
    return statistics.median(cpu)


def report(label: str, figures, target: float, build: float) -> None:
    wall, cpu, pg, timings, events, load = figures
    rate = events / wall
    per_event = cpu / events
    print(f"  {label} (load average {load:.1f} at the end)")
    print(
        f"    {events:,} events in {wall:.1f} s = {rate:,.0f} events/s (target ≥ {target:,.0f}); "
        f"per request p50 {p(timings, 0.5) * 1000:.0f} ms, p95 {p(timings, 0.95) * 1000:.0f} ms"
    )
    print(
        f"    the gunicorn workers had {cpu / wall:.2f} cores; with all {os.cpu_count()} cores "
        f"theirs and PostgreSQL's CPU per event would allow "
        f"{os.cpu_count() / (per_event + pg / events):,.0f} events/s"
    )
    print(
        f"    server CPU per event {per_event * 1000:.2f} ms (gunicorn workers) = "
        f"{per_event / build * 100:.1f} % of a document build (target ≤ 5 %); PostgreSQL "
        f"{pg / events * 1000:.2f} ms/event"
    )


def purge_queue() -> None:
    from config.celery import app

    with app.connection_for_write() as connection:
        for name in (QUEUE, f"{QUEUE}.relay", f"{QUEUE}.proofs"):
            connection.default_channel.queue_purge(name)


def queued_in_broker() -> int:
    from config.celery import app

    with app.connection_for_write() as connection:
        return connection.default_channel.client.llen(QUEUE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=8, help="batch requests of 500 events")
    parser.add_argument("--singles", type=int, default=1200, help="single-event requests")
    parser.add_argument("--clients", type=int, default=8, help="concurrent single-event clients")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--builds", type=int, default=15, help="document builds for the CPU")
    options = parser.parse_args()

    scale_data.recreate_database(DATABASE)
    scale_data.migrate(os.environ["DATABASE_URL"])
    import django

    django.setup()
    import logging

    from django.core.management import call_command

    from api.keys import create_api_key
    from api.models import ApiKey
    from messaging.models import Event

    logging.disable(logging.INFO)
    call_command("seed_demo", stdout=io.StringIO())
    api_key, key = create_api_key(client_name="Bench shop", event_types=["order_confirmation"])
    ApiKey.objects.filter(pk=api_key.pk).update(rate_per_minute=10**9)
    purge_queue()
    web = gunicorn(options.web_workers)
    try:
        warm = Client(key)
        example = json.loads(http_get("/api/v1/event-types/order_confirmation", key))["example"]
        events = Events(example)
        for _ in range(4 * options.web_workers):  # every worker has imported and connected
            warm.post("/api/v1/events", json.dumps(events.next()).encode(), 202)
        build = build_cpu(options.builds)
        print(
            f"Intake through gunicorn ({options.web_workers} sync workers) on PostgreSQL, "
            f"published to a broker nobody consumes; {os.cpu_count()} cores shared with the "
            f"clients"
        )
        print(f"  one document build (5-line demo order): {build * 1000:.0f} ms CPU (median)")
        report(
            f"batch: {options.batches} requests × {BATCH} events, one client",
            measured(web.popen.pid, batches(key, events, options.batches)),
            1000,
            build,
        )
        report(
            f"single: {options.singles:,} requests from {options.clients} concurrent clients",
            measured(web.popen.pid, singles(key, events, options.singles, options.clients)),
            200,
            build,
        )
        written = Event.objects.count()
        print(
            f"  written: {written:,} events; messages waiting in the broker: "
            f"{queued_in_broker():,} (each published once)"
        )
    finally:
        web.stop()
        purge_queue()
        from django.db import connections

        connections.close_all()
        scale_data.drop_database(DATABASE)
        shutil.rmtree(LOGS, ignore_errors=True)


def http_get(path: str, key: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", WEB_PORT, timeout=30)
    connection.request("GET", path, headers={"Authorization": f"Bearer {key}"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status}: {body[:300]!r}")
    return body


if __name__ == "__main__":
    sys.exit(main())
