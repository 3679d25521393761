"""How long do the delivery health page and /metrics take over a million messages?

    python -m bench.health [--messages 1000000] [--keep] [--reuse]

Creates a throwaway PostgreSQL database (`sealpost_opsbench`, dropped and recreated; override
with BENCH_DATABASE_URL), migrates it, and bulk-generates with SQL (generate_series) the given
number of events (order confirmations, every tenth a shipping update), one message each,
spread over 90 days (2% failed, 1% bounced, 3% sent,
the rest delivered, the last five minutes queued), with their history: "queued", "accepted",
a delivered/bounced tracking line and each finished attempt's two timed lines (ESP request, PDF
build) — about five history rows per message. Then it requests the dashboard and /metrics five
times each through Django's test client and prints the median time, the number of queries and
the slowest query of the median run; and the same for one run of the alert rules.
"""

from __future__ import annotations

import argparse
import os
import time
from urllib.parse import urlsplit

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sealpost_opsbench"
)
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("DOCUMENT_PASSWORD_KEY", "bench-only-not-secret")
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ["METRICS_TOKEN"] = "bench-token"  # noqa: S105 - a throwaway database's scrape token
os.environ.pop("CELERY_BROKER_URL", None)

import psycopg  # noqa: E402


def recreate_database() -> None:
    """Drop and create the benchmark database (never anything else: the name is checked)."""
    name = urlsplit(BENCH_URL).path.lstrip("/")
    if not name.endswith("opsbench"):
        raise SystemExit(f"refusing to recreate {name!r}: the benchmark database ends in opsbench")
    admin = urlsplit(BENCH_URL)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


GENERATE = """
INSERT INTO stafftemplates_eventtype (code, name, description, schema, example, created_at,
    updated_at)
VALUES ('order_confirmation', 'Order confirmation', '', '{}', '{}', now(), now()),
       ('shipping_update', 'Shipping update', '', '{}', '{}', now(), now())
ON CONFLICT DO NOTHING;

-- One event per order, every tenth a shipping update (the counts split by type).
INSERT INTO messaging_event (type_id, recipient, recipient_name, language, data, reference,
    idempotency_key, request_hash, token, status, status_reason, created_at, updated_at)
SELECT CASE WHEN mod(i, 10) = 0 THEN 'shipping_update' ELSE 'order_confirmation' END,
    'kund' || mod(i, 1000) || '@example.com', 'Kund', 'sv', %(data)s, 'NG-B' || i,
    'order:NG-B' || i, md5('request' || i) || md5('r' || i), md5('token' || i), 'pending', '',
    now() - (i::float / %(n)s) * interval '90 days',
    now() - (i::float / %(n)s) * interval '90 days'
FROM generate_series(1, %(n)s) AS i;

INSERT INTO messaging_message (event_id, recipient, language, status, attempts,
    next_attempt_at, esp_name, esp_message_id, last_error, sequence, is_proof,
    esp_request_attempt, created_at, updated_at, sent_at)
SELECT e.id, e.recipient, 'sv',
    CASE WHEN e.created_at > now() - interval '5 minutes' THEN 'queued'
         WHEN mod(e.id, 100) < 2 THEN 'failed' WHEN mod(e.id, 100) = 2 THEN 'bounced'
         WHEN mod(e.id, 100) < 6 THEN 'sent' ELSE 'delivered' END,
    1, e.created_at, 'Postmark', 'pm-' || e.id,
    CASE WHEN mod(e.id, 100) < 2 AND e.created_at <= now() - interval '5 minutes' THEN
        (ARRAY['Postmark API responded 422 (error code 300: Invalid ''From'' address).',
               'The ESP refused the recipient address.',
               'Template error: unknown tag',
               'No response from the ESP. Gave up after 8 attempts.'])[1 + mod(e.id, 4)]
    ELSE '' END,
    0, false, 0, e.created_at + interval '1 second', e.created_at + interval '40 seconds',
    e.created_at + (20 + mod(e.id, 50)) * interval '1 second'
FROM messaging_event e;
UPDATE messaging_message SET sent_at = NULL, esp_message_id = '', attempts = 0
    WHERE status IN ('queued', 'failed');
-- The event's status follows its message (Event.follow).
UPDATE messaging_event e SET status = CASE m.status WHEN 'queued' THEN 'pending' ELSE m.status END
FROM messaging_message m WHERE m.event_id = e.id;

INSERT INTO messaging_messageevent (message_id, kind, detail, esp_event_type, occurred_at,
    created_at)
SELECT id, 'queued', '', '', created_at, created_at FROM messaging_message;
INSERT INTO messaging_messageevent (message_id, kind, attempt, detail, esp_event_type,
    occurred_at, created_at)
SELECT id, 'sent', 1, 'Postmark', '', sent_at, sent_at
FROM messaging_message WHERE sent_at IS NOT NULL;
INSERT INTO messaging_messageevent (message_id, kind, attempt, detail, esp_event_type,
    occurred_at, created_at)
SELECT id, 'failed', 1, last_error, '', created_at + interval '1 minute',
    created_at + interval '1 minute'
FROM messaging_message WHERE status = 'failed';
-- Every finished attempt's timed lines (/metrics' histograms): the ESP request, the PDF build.
INSERT INTO messaging_messageevent (message_id, kind, attempt, detail, esp_event_type,
    occurred_at, created_at, duration)
SELECT m.id, t.kind, 1, '', '', m.created_at, m.created_at, t.seconds * random()
FROM messaging_message m, (VALUES ('claimed', 0.6), ('attachment_built', 1.5)) AS t(kind, seconds)
WHERE m.sent_at IS NOT NULL OR m.status = 'failed';
INSERT INTO messaging_messageevent (message_id, kind, detail, esp_event_type, esp_event_id,
    occurred_at, created_at)
SELECT id, 'tracking', '', CASE status WHEN 'bounced' THEN 'bounced' ELSE 'delivered' END,
    'postmark:' || id, sent_at + interval '5 seconds', sent_at + interval '5 seconds'
FROM messaging_message WHERE status IN ('delivered', 'bounced');
"""


def generate(count: int) -> None:
    from django.db import connection

    from messaging.encryption import encrypt_json

    data = encrypt_json({})  # each event's data, encrypted at rest as send_event stores it
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in GENERATE.split(";"):
            if statement.strip():
                params = {"n": count, "data": data} if "%(n)s" in statement else None
                cursor.execute(statement, params)
        # What autovacuum does on a live database: statistics, and the visibility map that
        # lets PostgreSQL answer counts from an index alone.
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT count(*) FROM messaging_messageevent")
        events = cursor.fetchone()[0]
    print(
        f"generated {count:,} events and messages, {events:,} history rows "
        f"in {time.perf_counter() - started:.0f} s"
    )


def measure(label: str, call, runs: int = 5) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            call()
            elapsed = time.perf_counter() - started
        timings.append((elapsed, queries.captured_queries))
    timings.sort(key=lambda t: t[0])
    elapsed, captured = timings[len(timings) // 2]
    in_queries = sum(float(q["time"]) for q in captured)
    print(
        f"{label:<34} median {elapsed * 1000:6.0f} ms (min {timings[0][0] * 1000:.0f}, max "
        f"{timings[-1][0] * 1000:.0f}); {len(captured)} queries, {in_queries * 1000:.0f} ms in SQL"
    )
    for query in sorted(captured, key=lambda q: -float(q["time"]))[:3]:
        print(f"    {float(query['time']) * 1000:5.0f} ms  {query['sql'][:110]}…")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument(
        "--reuse", action="store_true", help="Measure a database kept by an earlier --keep run."
    )
    options = parser.parse_args()

    if not options.reuse:
        recreate_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from operations.alerting import check_delivery_health
    from tests.factories import UserFactory

    if not options.reuse:
        call_command("migrate", verbosity=0)
        generate(options.messages)
    client = Client()
    client.force_login(UserFactory(username="bench", is_staff=True, is_superuser=True))

    def dashboard():
        assert client.get("/admin/delivery-health/").status_code == 200

    def metrics():
        response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer bench-token")
        assert response.status_code == 200

    # Django records query times only with DEBUG on; the views do not depend on it.
    connection.force_debug_cursor = True
    measure("dashboard /admin/delivery-health/", dashboard)
    measure("/metrics", metrics)
    measure("alert rules (check, no emails)", lambda: check_delivery_health(record=False))
    measure("/healthz", lambda: client.get("/healthz"))
    connection.close()
    if not options.keep:
        name = urlsplit(BENCH_URL).path.lstrip("/")
        admin = urlsplit(BENCH_URL)._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
