"""How long do the back office's busiest pages take over 10⁶ messages and 10⁷ history rows?

    python -m bench.scale_backoffice [--orders 1000000] [--events 10]

On the generated data set (`bench.scale_data`, database `sealpost_scale_big`, reused when
present), each page five times through Django's test client as a superuser: median time,
queries and the slowest query of the median run, against the 300 ms target.
"""

from __future__ import annotations

import argparse
import os
import time

from bench import scale_data

DATABASE = f"{scale_data.PREFIX}_big"
TARGET_MS = 300
MESSAGES = "/admin/messaging/message/"


def measure(client, url: str, runs: int = 5) -> tuple[float, int, float, str]:
    """(median ms, queries, ms in SQL, the slowest query) of `runs` GETs of `url`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        timings.append((elapsed, queries.captured_queries))
    timings.sort(key=lambda t: t[0])
    elapsed, captured = timings[len(timings) // 2]
    slowest = max(captured, key=lambda q: float(q["time"]))
    return (
        elapsed * 1000,
        len(captured),
        sum(float(q["time"]) for q in captured) * 1000,
        f"{float(slowest['time']) * 1000:.0f} ms {slowest['sql'][:90]}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10)
    parser.add_argument("--database", default=DATABASE, help="a sealpost_scale* database")
    parser.add_argument("--fresh", action="store_true", help="regenerate the data set")
    parser.add_argument("--verbose", action="store_true", help="print each page's slowest query")
    options = parser.parse_args()

    database = options.database
    started = time.perf_counter()
    seconds, reused = scale_data.ensure_dataset(
        database, orders=options.orders, events=options.events, fresh=options.fresh
    )
    size = scale_data.database_size(database) / 2**20
    how = scale_data.describe(seconds, reused)
    if reused:
        how += f"; migrate {time.perf_counter() - started:.0f} s"

    os.environ["DATABASE_URL"] = scale_data.database_url(database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("DOCUMENT_PASSWORD_KEY", "bench-only-not-secret")
    os.environ["EVENT_DATA_KEYS"] = scale_data.EVENT_DATA_KEY  # the generated events' key
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from messaging.models import Message, MessageEvent
    from shop.models import Order

    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    messages = Message.objects.order_by().aggregate(
        first=django.db.models.Min("pk"), last=django.db.models.Max("pk")
    )
    middle = (messages["first"] + messages["last"]) // 2
    message = Message.objects.select_related("event").get(pk=middle)
    order = Order.objects.get(number=message.event.reference)
    history = MessageEvent.objects.filter(message=message).count()
    pages = [
        ("messages list", "/admin/messaging/message/"),
        ("messages list, status failed", "/admin/messaging/message/?status__exact=failed"),
        ("messages list, search order number", f"{MESSAGES}?q={order.number}"),
        ("messages list, search an address", f"{MESSAGES}?q={message.recipient}"),
        (f"one message's page ({history} history rows)", f"{MESSAGES}{middle}/change/"),
        ("an order's page", f"/admin/shop/order/{order.pk}/change/"),
        ("orders list", "/admin/shop/order/"),
        ("admin index", "/admin/"),
    ]
    connection.force_debug_cursor = True  # query times are recorded with DEBUG on only
    print(
        f"Back office at scale: {Message.objects.order_by().count():,} messages, "
        f"{Order.objects.order_by().count():,} orders, {options.orders * options.events:,} "
        f"history rows (PostgreSQL {database}, {size:,.0f} MB, {how}); median of 5, "
        f"target ≤ {TARGET_MS} ms"
    )
    print(f"  {'page':<44} {'median':>8} {'queries':>8} {'in SQL':>8}")
    worst = 0.0
    for label, url in pages:
        client.get(url)  # a first request warms caches (templates, the connection)
        ms, queries, in_sql, slowest = measure(client, url)
        worst = max(worst, ms)
        flag = "" if ms <= TARGET_MS else "  OVER"
        print(f"  {label:<44} {ms:6.0f} ms {queries:8d} {in_sql:5.0f} ms{flag}")
        if options.verbose:
            print(f"      slowest: {slowest}")
    print(f"  slowest page {worst:.0f} ms (target ≤ {TARGET_MS} ms)")


if __name__ == "__main__":
    main()
