"""Upgrading to events: every message's order becomes an `order_confirmation` event with the
order's data and token, its messages attached; resend works on it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from messaging import outbox
from messaging.models import Event, Message
from shop.events import order_confirmation_data
from shop.models import Order

BEFORE = [
    ("messaging", "0014_event_types"),
    ("shop", "0005_order_confirmation_event_type"),
    ("attachments", "0007_event_types"),
]


@pytest.fixture
def before_events(transactional_db):
    """The database as it was before events: yields the historical models' registry."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    yield executor.loader.project_state(BEFORE).apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def upgrade() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_each_order_with_messages_becomes_its_confirmation_event(before_events, settings):
    settings.LANGUAGE_CODE = "en"
    old = before_events
    customer = old.get_model("shop", "Customer").objects.create(
        email="asa@example.com",
        first_name="Åsa",
        last_name="Öberg",
        address_line1="Storgatan 12",
        postal_code="831 30",
        city="Östersund",
        country="SE",
    )
    order = old.get_model("shop", "Order").objects.create(
        number="NG-2345-6789",
        token="the-order-token",
        checkout_key="checkout-key-upgrade",
        customer=customer,
        status="paid",
        currency="SEK",
        subtotal="250.00",
        total="250.00",
        language="sv",
        card_last4="4242",
    )
    old.get_model("shop", "OrderLine").objects.create(
        order=order,
        product_name="Mugg Fjällräv",
        options=[{"name": "Glaze", "value": "Mörkblå"}],
        unit_price="125.00",
        quantity=2,
        line_total="250.00",
    )
    messages = old.get_model("messaging", "Message").objects
    first = messages.create(
        event="order_confirmation", order=order.pk, recipient=customer.email, status="sent"
    )
    messages.create(
        event="order_confirmation",
        order=order.pk,
        recipient=customer.email,
        sequence=1,
        status="failed",
        last_error="Hard bounce.",
        resend_of=first,
    )
    proof = messages.create(
        event="order_confirmation", order=None, recipient="staff@example.com", is_proof=True
    )

    upgrade()

    event = Event.objects.get()
    order = Order.objects.get()
    assert (event.type_id, event.reference, event.token) == (
        "order_confirmation",
        "NG-2345-6789",
        "the-order-token",
    )
    assert (event.recipient, event.recipient_name, event.language) == (
        "asa@example.com",
        "Åsa Öberg",
        "sv",
    )
    assert event.idempotency_key == "order:NG-2345-6789"
    # Exactly what the storefront sends for that order today: today's templates render it.
    # But for the receipt number, which orders got after their events (shop 0007).
    today = order_confirmation_data(order)
    del today["order"]["receipt_number"]
    assert event.data == today
    assert event.created_at == order.created_at
    assert (event.status, event.status_reason) == (Event.Status.FAILED, "Hard bounce.")
    assert list(event.messages.order_by("sequence").values_list("sequence", flat=True)) == [0, 1]
    assert Message.objects.get(pk=proof.pk).event is None

    resend = outbox.resend_message(
        message_id=event.messages.get(sequence=1).pk, reason="", by="support"
    )
    assert (resend.event, resend.sequence) == (event, 2)
