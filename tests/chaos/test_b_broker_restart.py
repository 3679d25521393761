"""b. The broker is killed and restarted while customers check out.

A `redis-server` of the test's own (the shared one is never touched) is SIGKILLed between
checkouts and started again, empty, a few seconds later. Every checkout (`place_order`, then
the on-commit publish) must return promptly whatever the broker does; the orders whose task was
never published, or died with the broker, are sent by the relay once it is back; none twice.

RabbitMQ is not killed here: the only RabbitMQ on this machine is shared with other
engineers' runs (`rabbitmqctl stop_app` would break them, as stopping the shared Redis would),
and a second RabbitMQ node takes ~12 s to boot here, twice per run, which does not fit the
suite's time budget. The other scenarios run on RabbitMQ.
"""

import itertools
import time
from decimal import Decimal

import pytest

from shop.services import CartItem, place_order
from tests.chaos.conftest import all_sent
from tests.factories import CHECKOUT_DETAILS, ProductFactory
from tests.harness import settle
from tests.messaging.helpers import messages_of

pytestmark = [pytest.mark.chaos, pytest.mark.django_db(transaction=True)]

BEFORE, DURING, AFTER = 15, 15, 15
OUTAGE_SECONDS = 4.0
CHECKOUT_LIMIT = 3.0  # docs/operators/delivery.md: the publish gives up within about 2 s
_keys = itertools.count()


def checkout(product) -> tuple[int, float]:
    """One checkout as the view does it; returns the message id and how long it took."""
    started = time.monotonic()
    key = next(_keys)
    order = place_order(
        checkout_key=f"chaos-broker-{key}",
        items=[CartItem(product_id=product.pk, options={}, quantity=1)],
        # One customer each: the per-address daily limit is not what this scenario is about.
        customer={**CHECKOUT_DETAILS, "email": f"kund{key}@example.com"},
        card_number="4242424242424242",
    )
    elapsed = time.monotonic() - started
    return messages_of(order).get().pk, elapsed


def test_b_broker_restart(chaos_row, own_redis, confirmation_template, esp, cluster):
    server, broker = own_redis
    chaos_row.broker = broker.name
    running = cluster(broker)
    product = ProductFactory(price=Decimal("100.00"))
    started = time.monotonic()
    timings, message_ids = [], []

    def shop(count, pause=0.0):
        for _ in range(count):
            message_id, elapsed = checkout(product)
            message_ids.append(message_id)
            timings.append(elapsed)
            time.sleep(pause)

    shop(BEFORE, pause=0.05)
    server.kill()
    down = time.monotonic()
    shop(DURING, pause=OUTAGE_SECONDS / DURING)
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down)))
    server.start()
    shop(AFTER, pause=0.05)

    settled, _ = settle(lambda: all_sent(message_ids), timeout=90)
    chaos_row.settle_s = time.monotonic() - started
    chaos_row.orders = len(message_ids)
    chaos_row.tally(esp, message_ids)
    chaos_row.notes.append(
        f"checkout max {max(timings):.2f} s, median {sorted(timings)[len(timings) // 2]:.2f} s;"
        f" broker down {OUTAGE_SECONDS:.0f} s"
    )

    assert max(timings) < CHECKOUT_LIMIT, f"a checkout took {max(timings):.1f} s"
    assert settled, f"not every order was sent after the broker came back\n{running.logs()}"
    assert chaos_row.lost == 0
    assert chaos_row.duplicates == 0
