"""A burst of orders, and checkout while the workers drain it, with real processes.

    python -m bench.scale_workers [--burst 1000] [--checkouts 60] [--backlog 300]

On a fresh PostgreSQL database (`sealpost_scale_burst`), with Redis db 6 as the broker, real
`celery -A config worker` processes and a fake Postmark on 127.0.0.1:8105 (Anymail's real
Postmark backend talks HTTP to it; tests/messaging/fake_esp.py):

- **Burst.** `--burst` orders are placed while no worker runs, as checkout places them (the
  outbox row in the order's transaction, published on commit), so the broker holds them all;
  then one worker with two processes (`--concurrency 2`, one per core) drains them. Printed:
  the drain rate (first to last acceptance by the ESP) as a fraction of twice the attachment
  build rate of one process measured just before (the target is ≥ 0.85), p50/p95 from each
  order's commit to its message marked sent, duplicates (a message the ESP accepted twice),
  messages left unsent, and where the cores went meanwhile (the workers, PostgreSQL, Redis,
  this script with the fake ESP, anything else, idle). The workers' share of the cores bounds
  the fraction: it is what they would reach if nothing but the build cost them CPU.
- **Checkout while busy.** gunicorn on 127.0.0.1:8104 (`--workers 2`); customers one after
  another go through product → checkout → payment, each with their own session, over
  loopback; the payment POST (order, outbox row, publish) is timed. Five rows measured in
  turn, one customer each, shuffled, so that the load the rest of the shared machine puts on
  it weighs on all of them alike: idle; a worker of two processes draining a `--backlog` of
  orders (topped up with sent ones queued again when it runs low) at the default priority;
  the same at nice 10; at nice 19; at nice 19 with one process (what docs/operators/deploy.md,
  "Workers beside the web", recommends where the web shares 2 cores). The workers not
  measured are frozen (SIGSTOP): no CPU taken. `--checkouts` customers per row; p95 busy /
  idle against the ≤ 1.5x target.
"""

from __future__ import annotations

import argparse
import atexit
import io
import os
import random
import re
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

DATABASE = f"{scale_data.PREFIX}_burst"
SERVICES = ("postgres", "redis-server")  # process names, as /proc/<pid>/stat gives them
BROKER = os.environ.get("BENCH_WORKERS_BROKER_URL", "redis://127.0.0.1:6379/6")
QUEUE = "bench-scale"
# Overridable where other work holds those ports (BENCH_WEB_PORT, BENCH_ESP_PORT).
WEB_PORT = int(os.environ.get("BENCH_WEB_PORT", "8104"))
ESP_PORT = int(os.environ.get("BENCH_ESP_PORT", "8105"))
TOKEN = "bench-postmark-token"  # noqa: S105 - the fake ESP's, checked by nothing real
BASE_DIR = Path(__file__).resolve().parent.parent
LOGS = Path(tempfile.mkdtemp(prefix="sealpost-scale-"))  # the workers' and gunicorn's output
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
    ALLOWED_HOSTS="127.0.0.1,testserver",
    # Plain HTTP on loopback: the cookies must travel without TLS, and one client places
    # every order (the shop's per-client limits would stop it).
    SESSION_COOKIE_SECURE="false",
    CSRF_COOKIE_SECURE="false",
    SHOP_RATE_LIMIT_ENABLED="false",
    MESSAGING_RECIPIENT_DAILY_LIMIT="0",
)


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


class Process:
    """A process group of ours (gunicorn or a celery worker), ended by its own id."""

    def __init__(self, command: list[str], *, log: str, nice: int = 0):
        prefix = ["nice", "-n", str(nice)] if nice else []
        with (LOGS / log).open("ab") as output:
            self.popen = subprocess.Popen(  # noqa: S603 - our own fixed command line
                [*prefix, sys.executable, "-m", *command],
                cwd=BASE_DIR,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if nice:
            # Linux with autogroup (/proc/sys/kernel/sched_autogroup_enabled = 1) shares the CPU
            # between sessions first, and `nice` only orders processes within one: a new
            # session's priority is its autogroup's, set here (docs/operators/deploy.md,
            # "Workers beside the web").
            autogroup = Path(f"/proc/{self.popen.pid}/autogroup")
            if autogroup.exists():
                autogroup.write_text(str(nice))

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()


def worker(*, nice: int = 0, concurrency: int = 2) -> Process:
    return Process(
        [
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            f"--hostname=bench-scale-{nice}-{time.monotonic_ns()}@%h",
            f"-Q{QUEUE},{QUEUE}.relay,{QUEUE}.proofs",
        ],
        log="worker.log",
        nice=nice,
    )


def fake_esp():
    """The fake Postmark of the fault suite, on this benchmark's port."""
    from tests.messaging.fake_esp import FakePostmark

    esp = FakePostmark()
    handler = esp.server.RequestHandlerClass
    esp.server.server_close()
    esp.server = ThreadingHTTPServer(("127.0.0.1", ESP_PORT), handler)
    esp.server.daemon_threads = True
    esp.thread = threading.Thread(target=esp.server.serve_forever, daemon=True)
    return esp.start()


def place_orders(count: int) -> dict[int, float]:
    """Orders completed as checkout completes them; {message id: commit time}."""
    from django.db import transaction

    from messaging.models import Message
    from shop.models import Order
    from shop.signals import order_completed
    from tests.factories import OrderFactory

    committed = {}
    for _ in range(count):
        with transaction.atomic():
            order = OrderFactory()
            order_completed.send(sender=Order, order=order)
        committed[Message.objects.get(event__reference=order.number).pk] = time.time()
    return committed


def build_rate(orders: int = 12) -> tuple[float, float]:
    """One process building attachments: (documents per second, CPU seconds per document),
    from the median document."""
    from attachments.api import build_attachment, document_password
    from messaging.models import Message

    wall, cpu = [], []
    messages = Message.objects.select_related("event").order_by("-pk")[:orders]
    for message in messages:
        context = message.event.template_context()  # what the worker renders
        for link in message.attachment_links.select_related("attachment_revision"):
            revision = link.attachment_revision
            password = document_password(revision, context=context, token=message.event.token)
            build_attachment(revision, context, password)  # the first one warms up
            started, started_cpu = time.perf_counter(), time.process_time()
            build_attachment(revision, context, password)
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    return 1 / statistics.median(wall), statistics.median(cpu)


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


def cpu_by_name(names: tuple[str, ...]) -> dict[str, float]:
    """CPU seconds of every live process named in `names` (PostgreSQL's, Redis's: every one
    on the machine, so another cluster's too),
    with what their exited children used (an exited backend's time moves to the postmaster),
    so that the difference of two readings is what they used in between."""
    ticks = os.sysconf("SC_CLK_TCK")
    totals = dict.fromkeys(names, 0.0)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            head, tail = (entry / "stat").read_text().rsplit(")", 1)
        except OSError:
            continue
        name = head.split("(", 1)[1]
        if name in totals:
            fields = tail.split()
            totals[name] += sum(int(value) for value in fields[11:15]) / ticks  # u, s, cu, cs
    return totals


def machine_busy() -> float:
    """CPU seconds the whole machine spent busy so far (/proc/stat: user, nice, system, irq
    and softirq; guest time is already in user, steal is not ours)."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq = values[:7]
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def purge_broker() -> None:
    from config.celery import app

    with app.connection_for_write() as broker:
        broker.default_channel.client.flushdb()  # db 6 is this benchmark's own


def burst(count: int, esp) -> None:
    from django.db.models import Count

    from messaging.models import Message

    print(f"Burst: {count:,} orders queued with no worker running, then 1 worker × 2 processes")
    started = time.perf_counter()
    committed = place_orders(count)
    print(f"  placed {count:,} orders in {time.perf_counter() - started:.0f} s (broker holds them)")
    single, build_cpu = build_rate()  # on the burst's own orders, before any worker runs
    load_before = os.getloadavg()[0]
    accepted_before = len(esp.accepted())
    services_before, busy_before = cpu_by_name(SERVICES), machine_busy()
    own_before = time.process_time()  # this script: the fake ESP's threads and the polling
    process = worker()
    started = time.perf_counter()
    ids = list(committed)
    deadline = time.monotonic() + max(600, count * 2)
    while time.monotonic() < deadline:
        if not Message.objects.filter(pk__in=ids).exclude(status=Message.Status.SENT).exists():
            break
        time.sleep(0.5)
    wall = time.perf_counter() - started
    worker_cpu = cpu_seconds(process.popen.pid)  # before the pool exits
    own_cpu = time.process_time() - own_before
    services = {name: used - services_before[name] for name, used in cpu_by_name(SERVICES).items()}
    busy = machine_busy() - busy_before
    load_during = os.getloadavg()[0]
    process.stop()
    rows = Message.objects.filter(pk__in=ids).values_list("pk", "status", "sent_at")
    sent = {pk: at.timestamp() for pk, status, at in rows if status == Message.Status.SENT}
    left = count - len(sent)
    accepted = esp.accepted()[accepted_before:]
    per_message = {}
    for request in accepted:
        per_message[request["message_id"]] = per_message.get(request["message_id"], 0) + 1
    duplicates = sum(1 for n in per_message.values() if n > 1)
    times = sorted(sent.values())
    rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    latencies = [sent[pk] - committed[pk] for pk in sent]
    events = Message.objects.filter(pk__in=ids).aggregate(n=Count("events"))["n"]
    cpu_per_order = worker_cpu / max(1, len(sent))
    print(
        f"  one process builds {single:.2f} attachments/s ({build_cpu * 1000:.0f} ms CPU each); "
        f"2 × that = {2 * single:.2f}/s"
    )
    print(
        f"  drained at {rate:.2f} orders/s (first to last acceptance; {wall:.0f} s from the "
        f"worker's start) = {rate / (2 * single):.2f} of 2 × build rate (target ≥ 0.85)"
    )
    print(
        f"  why: the workers' CPU per order {cpu_per_order * 1000:.0f} ms (start-up included) "
        f"vs {build_cpu * 1000:.0f} ms per build = {build_cpu / cpu_per_order:.2f} of it; "
        f"they got {worker_cpu / wall:.2f} of the 2 cores (load average {load_before:.1f} "
        f"before, {load_during:.1f} at the end)"
    )
    cores = os.cpu_count() or 2
    shares = {
        "workers": worker_cpu,
        "PostgreSQL": services["postgres"],
        "Redis": services["redis-server"],
        "fake ESP + this script": own_cpu,
    }
    print(
        f"  where the {cores} cores went while draining (cores): "
        + ", ".join(f"{label} {used / wall:.2f}" for label, used in shares.items())
        + f", anything else {max(0.0, busy - sum(shares.values())) / wall:.2f}, idle "
        f"{max(0.0, cores - busy / wall):.2f}"
    )
    print(
        f"  ceiling on this machine: even with no cost but the build, the workers' share of "
        f"the cores gives {worker_cpu / wall / 2:.2f} of 2 × build rate (2 processes)"
    )
    print(
        f"  commit → accepted by the ESP: p50 {p(latencies, 0.5):.1f} s, p95 "
        f"{p(latencies, 0.95):.1f} s (they waited in the broker for the burst before them)"
    )
    print(
        f"  duplicates (accepted twice by the ESP): {duplicates}; left unsent: {left}; "
        f"history rows {events:,}"
    )


def gunicorn(workers: int) -> Process:
    return Process(
        [
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{WEB_PORT}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
        ],
        log="gunicorn.log",
    )


CHECKOUT_KEY = re.compile(r'name="checkout_key" value="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def checkout_once(slug: str, n: int) -> float:
    """One customer, product to payment, in their own session; seconds of the payment POST."""
    import requests

    from tests.factories import CHECKOUT_DETAILS

    base = f"http://127.0.0.1:{WEB_PORT}"
    with requests.Session() as browser:
        page = browser.get(f"{base}/products/{slug}/", timeout=30).text
        token = CSRF.search(page).group(1)
        browser.post(
            f"{base}/products/{slug}/",
            {"csrfmiddlewaretoken": token, "quantity": 1},
            timeout=30,
        )
        details = {**CHECKOUT_DETAILS, "email": f"kund{n}@example.com"}
        browser.post(f"{base}/checkout/", {"csrfmiddlewaretoken": token, **details}, timeout=30)
        page = browser.get(f"{base}/checkout/payment/", timeout=30).text
        key = CHECKOUT_KEY.search(page).group(1)
        form = {
            "csrfmiddlewaretoken": CSRF.search(page).group(1),
            "checkout_key": key,
            "card_number": "4242 4242 4242 4242",
            "expiry": "12/30",
            "cvc": "123",
        }
        started = time.perf_counter()
        response = browser.post(
            f"{base}/checkout/payment/", form, allow_redirects=False, timeout=30
        )
        elapsed = time.perf_counter() - started
        if response.status_code != 302 or "/orders/" not in response.headers["Location"]:
            log = (LOGS / "gunicorn.log").read_text(errors="replace")[-4000:]
            raise SystemExit(
                f"payment answered {response.status_code}, not the confirmation\n{log}"
            )
        return elapsed


def checkouts(slug: str, count: int, start: int) -> list[float]:
    return [checkout_once(slug, start + i) for i in range(count)]


def wait_for_gunicorn(web: Process) -> None:
    """Until it answers; it must be ours (the port was free), not a leftover of another run."""
    import requests

    deadline = time.monotonic() + 60
    while True:
        if web.popen.poll() is not None:
            raise SystemExit(f"gunicorn exited (port {WEB_PORT} in use?)")
        try:
            requests.get(f"http://127.0.0.1:{WEB_PORT}/healthz", timeout=2)
            return
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise SystemExit("gunicorn did not start") from None
            time.sleep(0.3)


def top_up(ids: list[int], low: int = 100) -> None:
    """Keep the workers busy: when fewer than `low` of the backlog wait, queue sent ones again
    (each is delivered again: a second email to the fake ESP, nobody's inbox)."""
    from django.utils import timezone

    from messaging.models import Message
    from messaging.outbox import publish_delivery

    if Message.objects.filter(pk__in=ids, status=Message.Status.QUEUED).count() >= low:
        return
    again = list(
        Message.objects.filter(pk__in=ids, status=Message.Status.SENT).values_list("pk", flat=True)[
            : 3 * low
        ]
    )
    Message.objects.filter(pk__in=again).update(
        status=Message.Status.QUEUED, attempts=0, next_attempt_at=timezone.now()
    )
    for pk in again:
        publish_delivery(message_id=pk)


def checkout_while_busy(count: int, backlog: int) -> None:
    """Idle and busy payments measured in turn, so each sees the same load from the rest of the
    machine: four workers (nice 0, 10, 19, and 19 with one process) drain one backlog, each
    frozen (SIGSTOP) except while its own row is measured; "idle" is all frozen, no CPU
    taken. Whatever fails, gunicorn and the workers are stopped."""
    from messaging.models import Message
    from tests.factories import ProductFactory

    product = ProductFactory(name="Ullfilt Åre")
    web = gunicorn(workers=2)
    workers = {}
    try:
        wait_for_gunicorn(web)
        checkouts(product.slug, 6, 0)  # warm every gunicorn worker
        ids = list(place_orders(backlog))
        workers = {
            "busy, workers nice 0": worker(nice=0),
            "busy, workers nice 10": worker(nice=10),
            "busy, workers nice 19": worker(nice=19),
            "busy, nice 19, 1 process": worker(nice=19, concurrency=1),
        }
        while not Message.objects.filter(pk__in=ids, status=Message.Status.SENT).exists():
            time.sleep(0.2)  # started and sending
        time.sleep(3)  # all warmed up
        rows = ["idle", *workers]
        results = {row: [] for row in rows}
        order = random.Random(7)

        def freeze(row, sig):
            os.killpg(workers[row].popen.pid, sig)

        for row in workers:
            freeze(row, signal.SIGSTOP)
        n = 100
        for _ in range(count):
            top_up(ids)
            for row in order.sample(rows, len(rows)):
                if row in workers:
                    freeze(row, signal.SIGCONT)
                    time.sleep(0.2)  # running again, on the CPU
                results[row].append(checkout_once(product.slug, n))
                n += 1
                if row in workers:
                    freeze(row, signal.SIGSTOP)
        still = Message.objects.filter(pk__in=ids, status=Message.Status.QUEUED).count()
    finally:
        for process in workers.values():
            os.killpg(process.popen.pid, signal.SIGCONT)
            process.stop()
        purge_broker()
        web.stop()
    idle_p95 = p(results["idle"], 0.95)
    print(
        f"Checkout while busy: payment POST through gunicorn (2 workers) over loopback; "
        f"{count} customers per row, one after another, the rows taken in turn (shuffled)"
    )
    print("  busy: a worker (2 processes unless said) drains a backlog, the other workers frozen")
    idle_p50 = p(results["idle"], 0.5)
    print(f"  {'':<28} {'p50':>8} {'p95':>8} {'p50 / idle':>11} {'p95 / idle':>11}")
    for row, timings in results.items():
        print(
            f"  {row:<28} {p(timings, 0.5) * 1000:5.0f} ms {p(timings, 0.95) * 1000:5.0f} ms "
            f"{p(timings, 0.5) / idle_p50:10.2f}× {p(timings, 0.95) / idle_p95:10.2f}×"
        )
    print(
        "  target: p95 busy ≤ 1.5× idle with what docs/operators/deploy.md recommends beside the"
        " web: nice 19, one process fewer than the cores"
    )
    if not still:
        print("  (the backlog ran out before the end: raise --backlog)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--burst", type=int, default=1000, help="orders in the burst")
    parser.add_argument("--checkouts", type=int, default=100, help="payments per row")
    parser.add_argument("--backlog", type=int, default=600, help="orders the workers drain")
    parser.add_argument("--skip-burst", action="store_true")
    parser.add_argument("--skip-checkout", action="store_true")
    options = parser.parse_args()

    scale_data.recreate_database(DATABASE)
    scale_data.migrate(os.environ["DATABASE_URL"])
    import django

    django.setup()
    import logging

    from django.core.management import call_command

    logging.disable(logging.INFO)
    call_command("seed_demo", stdout=io.StringIO())
    purge_broker()
    esp = fake_esp()
    try:
        if not options.skip_burst:
            burst(options.burst, esp)
        if not options.skip_checkout:
            checkout_while_busy(options.checkouts, options.backlog)
    finally:
        esp.stop()
        purge_broker()
        from django.db import connection

        connection.close()
        scale_data.drop_database(DATABASE)


if __name__ == "__main__":
    main()
