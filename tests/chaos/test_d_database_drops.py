"""d. PostgreSQL drops the workers' connections while they wait on the ESP.

The ESP answers slowly; while requests are in flight, every backend of the test database but
the test's own is terminated (as a database restart or failover does). The attempt in flight
was accepted by the ESP: recording its outcome must survive the dead connection, or the claim
expires and the customer gets the email again.
"""

import time

import pytest
from django.db import connection

from tests.chaos.conftest import all_sent
from tests.harness import place_orders, settle
from tests.messaging.fake_esp import Step

pytestmark = [pytest.mark.chaos, pytest.mark.django_db(transaction=True)]

ORDERS = 40
ROUNDS = 5


def terminate_other_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_d_database_drops(chaos_row, broker, confirmation_template, esp, cluster):
    esp.default = Step(200, delay=1.0)
    running = cluster(broker)
    started = time.monotonic()
    message_ids = place_orders(ORDERS)
    chaos_row.orders = ORDERS

    terminated = in_flight = 0
    for _ in range(ROUNDS):
        ok, _ = settle(lambda: esp.in_flight(), timeout=30, interval=0.05)
        if not ok:
            break
        time.sleep(0.2)  # well inside the ESP's 1 s answer
        in_flight += len(esp.in_flight())
        terminated += terminate_other_backends()
        time.sleep(1.2)  # the answers arrive; their outcomes meet the dead connections

    settled, _ = settle(lambda: all_sent(message_ids), timeout=90)
    chaos_row.settle_s = time.monotonic() - started
    chaos_row.tally(esp, message_ids)
    chaos_row.notes.append(
        f"{terminated} backends terminated over {ROUNDS} rounds, {in_flight} requests in flight"
    )

    assert terminated >= ROUNDS, "the workers held no database connections to drop"
    assert settled, f"not every order was sent\n{running.logs()}"
    assert chaos_row.lost == 0
    assert chaos_row.duplicates == 0
