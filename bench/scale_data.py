"""Generated PostgreSQL data sets for the shop-scale benchmark (`bench.scale`).

    python -m bench.scale_data [--orders 1000000] [--events 10] [--database sealpost_scale_big]

Orders, one confirmation event and message each and `--events` history rows per message, written by
PostgreSQL itself (`INSERT … SELECT generate_series`): a million messages and ten million
history rows take minutes, not hours. Only `sealpost_scale*` databases are ever created or
dropped. Every INSERT lists its columns, so a column added later with a default or NULL does
not break the generator; a new NOT NULL column without a default needs a line here.

A finished data set carries a comment on its database (`bench.scale orders=… events=… v=…`):
`ensure_dataset` reuses a database whose comment matches (after `migrate`, so a new migration
applies to it), and regenerates one that is missing, unfinished or of another shape.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import time
from urllib.parse import urlsplit

import psycopg

# Bump when the generated rows change shape: a kept data set of another version is rebuilt.
VERSION = 2  # 2: events (the message center), Message.order gone
SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PREFIX = "sealpost_scale"
# The generated events' data key (a Fernet key; processes reading the data set get it as
# EVENT_DATA_KEYS): fixed, so a kept data set stays readable run after run. Benchmarks only.
EVENT_DATA_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"sealpost-bench-data").digest()).decode()


def database_url(name: str) -> str:
    if not name.startswith(PREFIX):
        raise SystemExit(f"refusing to use {name!r}: benchmark databases start with {PREFIX}")
    return urlsplit(SERVER)._replace(path=f"/{name}").geturl()


def admin_connection() -> psycopg.Connection:
    return psycopg.connect(SERVER, autocommit=True)


def recreate_database(name: str) -> None:
    database_url(name)  # the name check
    with admin_connection() as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        pg.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    database_url(name)
    with admin_connection() as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def marker(orders: int, events: int) -> str:
    return f"bench.scale orders={orders} events={events} v={VERSION}"


def database_comment(name: str) -> str | None:
    with admin_connection() as pg:
        row = pg.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    return row[0] if row else None


def database_size(name: str) -> int:
    with admin_connection() as pg:
        return pg.execute("SELECT pg_database_size(%s)", [name]).fetchone()[0]


# An order number as the shop writes them (NG-XXXX-XXXX, shop.models.ORDER_NUMBER_PATTERN),
# spelled from the row's number in the shop's alphabet so every one is unique.
ORDER_NUMBER_FUNCTION = """
CREATE FUNCTION pg_temp.order_number(i bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
SELECT 'NG-' || string_agg(
    substr('23456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + ((i / (30::bigint ^ k)::bigint) % 30)::int, 1),
    '' ORDER BY k DESC) FILTER (WHERE k >= 4)
    || '-' || string_agg(
    substr('23456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + ((i / (30::bigint ^ k)::bigint) % 30)::int, 1),
    '' ORDER BY k DESC) FILTER (WHERE k < 4)
FROM generate_series(0, 7) AS k
$$
"""


def generated_order_number(i: int) -> str:
    """The number `pg_temp.order_number(i)` gives the i-th generated order."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
    chars = "".join(alphabet[(i // 30**k) % 30] for k in range(7, -1, -1))
    return f"NG-{chars[:4]}-{chars[4:]}"


# Orders spread over a year; 2% failed, 1% bounced, 3% sent, the rest delivered.
GENERATE = [
    """
INSERT INTO shop_customer (email, first_name, last_name, phone, address_line1, address_line2,
    postal_code, city, country, created_at)
SELECT 'kund' || i || '@example.com', 'Kund', 'Nummer' || i, '', 'Gatan ' || i, '', '12345',
    'Stad', 'SE', now() - interval '400 days'
FROM generate_series(1, %(customers)s) AS i
""",
    """
INSERT INTO shop_order (number, token, checkout_key, customer_id, status, currency, subtotal,
    total, payment_reference, language, created_at, paid_at)
SELECT pg_temp.order_number(i), md5('token' || i) || md5('t' || i), md5('key' || i),
    (SELECT min(id) FROM shop_customer) + mod(i, %(customers)s), 'paid', 'SEK', 250, 250,
    'bench-' || i, 'sv',
    now() - ((%(n)s - i)::float / %(n)s) * interval '365 days' - interval '10 minutes',
    now() - ((%(n)s - i)::float / %(n)s) * interval '365 days' - interval '10 minutes'
FROM generate_series(1, %(n)s) AS i
""",
    """
INSERT INTO shop_orderline (order_id, product_name, options, unit_price, quantity, line_total)
SELECT o.id, 'Ullfilt ' || l, '[]', 125, 1, 125
FROM shop_order o CROSS JOIN generate_series(1, 2) AS l
""",
    # Each order's confirmation event, as the storefront sends it (its data encrypted at rest
    # with the benchmarks' key, EVENT_DATA_KEY), its status following its message's.
    """
INSERT INTO messaging_event (type_id, recipient, recipient_name, language, data, reference,
    idempotency_key, request_hash, token, status, status_reason, created_at, updated_at)
SELECT 'order_confirmation', 'kund' || (o.customer_id - c.first + 1) || '@example.com',
    'Kund Nummer' || (o.customer_id - c.first + 1), o.language, %(data)s, o.number,
    'order:' || o.number, md5('request' || o.id) || md5('r' || o.id), o.token,
    CASE WHEN mod(o.id, 100) < 2 THEN 'failed' WHEN mod(o.id, 100) = 2 THEN 'bounced'
         WHEN mod(o.id, 100) < 6 THEN 'sent' ELSE 'delivered' END,
    '', o.created_at, o.created_at + interval '40 seconds'
FROM shop_order o, (SELECT min(id) AS first FROM shop_customer) AS c
ORDER BY o.id
""",
    """
INSERT INTO messaging_message (event_id, recipient, language, status, attempts,
    next_attempt_at, esp_name, esp_message_id, last_error, sequence, is_proof,
    esp_request_attempt, created_at, updated_at, sent_at)
SELECT e.id, e.recipient, e.language,
    CASE WHEN mod(o.id, 100) < 2 THEN 'failed' WHEN mod(o.id, 100) = 2 THEN 'bounced'
         WHEN mod(o.id, 100) < 6 THEN 'sent' ELSE 'delivered' END,
    1, o.created_at, 'Postmark',
    CASE WHEN mod(o.id, 100) < 2 THEN '' ELSE 'pm-' || o.id END,
    CASE WHEN mod(o.id, 100) < 2 THEN 'The ESP refused the recipient address.' ELSE '' END,
    0, false, 1, o.created_at + interval '1 second', o.created_at + interval '40 seconds',
    CASE WHEN mod(o.id, 100) < 2 THEN NULL
         ELSE o.created_at + (2 + mod(o.id, 5)) * interval '1 second' END
FROM messaging_event e JOIN shop_order o ON o.number = e.reference
ORDER BY o.id
""",
    # The history, in the order a delivery writes it; past the first six lines, tracking
    # (delivered, then opens) each with its own ESP event id.
    """
INSERT INTO messaging_messageevent (message_id, kind, attempt, detail, size, esp_event_type,
    esp_event_id, occurred_at, created_at)
SELECT m.id,
    (ARRAY['queued', 'claimed', 'rendered', 'attachment_built', 'attachment_built', 'sent']
        )[k],
    CASE WHEN k BETWEEN 2 AND 6 THEN 1 END,
    CASE k WHEN 4 THEN 'order.pdf' WHEN 5 THEN 'terms.pdf' WHEN 6 THEN 'Postmark' ELSE '' END,
    CASE WHEN k IN (4, 5) THEN 40000 + mod(m.id, 5000) END,
    '', NULL,
    m.created_at + k * interval '100 milliseconds',
    m.created_at + k * interval '100 milliseconds'
FROM messaging_message m CROSS JOIN generate_series(1, LEAST(%(events)s, 6)) AS k
ORDER BY m.id, k
""",
    """
INSERT INTO messaging_messageevent (message_id, kind, detail, esp_event_type, esp_event_id,
    occurred_at, created_at)
SELECT m.id, 'tracking', '', CASE WHEN k = 7 THEN 'delivered' ELSE 'opened' END,
    'postmark:' || m.id || ':' || k,
    m.created_at + k * interval '1 minute', m.created_at + k * interval '1 minute'
FROM messaging_message m CROSS JOIN generate_series(7, %(events)s) AS k
ORDER BY m.id, k
""",
]


def generate(url: str, *, orders: int, events: int) -> float:
    """Fill the migrated database at `url`; returns the seconds it took."""
    started = time.perf_counter()
    from cryptography.fernet import Fernet

    data = {"order": {"number": "generated"}, "generated": True}
    params = {
        "n": orders,
        "events": events,
        "customers": max(1, min(orders // 10, 20_000)),
        "data": Fernet(EVENT_DATA_KEY).encrypt(json.dumps(data).encode()).decode(),
    }
    with psycopg.connect(url, autocommit=True) as pg:
        pg.execute(ORDER_NUMBER_FUNCTION)
        for statement in GENERATE:
            pg.execute(statement, params)
        # What autovacuum does on a live database: statistics, and the visibility map that
        # lets PostgreSQL answer from an index alone.
        pg.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def migrate(url: str) -> None:
    """`manage.py migrate` against `url`, in a child process (this one may hold other
    settings)."""
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-only-not-secret"}
    env.pop("CELERY_BROKER_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        env=env,
        check=True,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )


def ensure_dataset(
    name: str, *, orders: int, events: int, fresh: bool = False
) -> tuple[float | None, bool]:
    """A migrated, generated database `name`: (the seconds its generation took — None if
    unknown —, whether it was reused)."""
    url = database_url(name)
    wanted = marker(orders, events)
    comment = database_comment(name) or ""
    if not fresh and comment.split(";")[0] == wanted:
        migrate(url)  # migrations merged since it was generated apply to it
        took = re.search(r"generated in (\d+) s", comment)
        return (float(took.group(1)) if took else None), True
    recreate_database(name)
    migrate(url)
    seconds = generate(url, orders=orders, events=events)
    with admin_connection() as pg:
        pg.execute(f"COMMENT ON DATABASE \"{name}\" IS '{wanted}; generated in {seconds:.0f} s'")
    return seconds, False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10, help="history rows per message")
    parser.add_argument("--database", default=f"{PREFIX}_big")
    parser.add_argument("--fresh", action="store_true", help="regenerate even if present")
    options = parser.parse_args()
    seconds, reused = ensure_dataset(
        options.database, orders=options.orders, events=options.events, fresh=options.fresh
    )
    size = database_size(options.database) / 2**20
    print(f"{options.database}: {describe(seconds, reused)} ({size:,.0f} MB)")


def describe(seconds: float | None, reused: bool) -> str:
    took = "?" if seconds is None else f"{seconds:.0f}"
    return f"reused (its generation took {took} s)" if reused else f"generated in {took} s"


if __name__ == "__main__":
    main()
