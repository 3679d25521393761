"""A broker that is down (or silent) at checkout: the order commits fast, the email waits."""

import socket
import threading
import time
from decimal import Decimal

import pytest

from messaging import services
from messaging.models import Message
from shop.services import CartItem, place_order
from tests.factories import CHECKOUT_DETAILS, ProductFactory
from tests.messaging.conftest import celery_config, closed_port

pytestmark = pytest.mark.django_db


def checkout(key):
    product = ProductFactory(price=Decimal("100.00"))
    return place_order(
        checkout_key=key,
        items=[CartItem(product_id=product.pk, options={}, quantity=1)],
        customer=CHECKOUT_DETAILS,
        card_number="4242424242424242",
    )


@pytest.fixture
def silent_broker():
    """Something that accepts TCP connections and never answers (a half-dead broker)."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


@pytest.mark.parametrize("broker", ["closed", "silent"])
def test_checkout_survives_a_dead_broker_and_the_relay_sends_later(
    broker,
    silent_broker,
    confirmation_template,
    mailoutbox,
    settings,
    django_capture_on_commit_callbacks,
):
    port = closed_port() if broker == "closed" else silent_broker
    with celery_config(broker_url=f"redis://127.0.0.1:{port}/0", task_always_eager=False):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            order = checkout(f"dead-broker-{broker}")
        elapsed = time.monotonic() - started

    assert elapsed < 3.0  # bounded: connect 1 s, socket 2 s, and no endless retry
    message = order.messages.get()
    assert message.status == Message.Status.QUEUED
    assert mailoutbox == []

    # The broker is back (eager here); the relay finds the row once its grace period passed.
    settings.MESSAGING_RELAY_GRACE_SECONDS = 0
    report = services.relay_due_messages()
    assert report.published == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert len(mailoutbox) == 1
