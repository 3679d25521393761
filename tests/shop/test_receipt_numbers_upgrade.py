"""Orders placed before receipt numbers get theirs on upgrade, in order of creation."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from shop.models import Order, ReceiptCounter

BEFORE = [("shop", "0006_order_events")]


@pytest.fixture
def before_receipts(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    yield executor.loader.project_state(BEFORE).apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_existing_orders_are_numbered_per_year_in_order_of_creation(before_receipts, settings):
    settings.SHOP_RECEIPT_PREFIX = "NG"
    old = before_receipts
    customer = old.get_model("shop", "Customer").objects.create(
        email="asa@example.com", first_name="Åsa", last_name="Öberg", address_line1="Storgatan 12"
    )
    old_order = old.get_model("shop", "Order")
    created = {
        "NG-2222-2222": datetime(2026, 3, 1, 12, tzinfo=UTC),
        "NG-3333-3333": datetime(2025, 12, 31, 22, 30, tzinfo=UTC),  # 23:30 in Stockholm: 2025
        "NG-4444-4444": datetime(2026, 1, 5, 9, tzinfo=UTC),
        "NG-5555-5555": datetime(2025, 12, 31, 23, 30, tzinfo=UTC),  # 00:30 in Stockholm: 2026
    }
    for number, at in created.items():
        order = old_order.objects.create(
            number=number,
            token=f"token-{number}",
            checkout_key=f"key-{number}",
            customer=customer,
            status="paid",
            currency="SEK",
            subtotal="10.00",
            total="10.00",
        )
        old_order.objects.filter(pk=order.pk).update(created_at=at)

    MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    numbers = dict(Order.objects.values_list("number", "receipt_number"))
    assert numbers == {
        "NG-3333-3333": "NG-2025-000001",
        "NG-5555-5555": "NG-2026-000001",
        "NG-4444-4444": "NG-2026-000002",
        "NG-2222-2222": "NG-2026-000003",
    }
    assert dict(ReceiptCounter.objects.values_list("year", "last")) == {2025: 1, 2026: 3}


def test_the_confirmation_schema_as_first_migrated_gains_the_receipt_number(before_receipts):
    import importlib

    from stafftemplates.models import EventType

    first = importlib.import_module("shop.migrations.0005_order_confirmation_event_type")
    before_receipts.get_model("stafftemplates", "EventType").objects.update_or_create(
        code="order_confirmation", defaults={"schema": first.SCHEMA, "example": first.EXAMPLE}
    )

    MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    order = EventType.objects.get(code="order_confirmation").schema["properties"]["order"]
    receipt_number = {"type": "string", "maxLength": 40, "x-bookkeeping": True}  # 0008 marks it
    assert order["properties"]["receipt_number"] == receipt_number
    assert "receipt_number" not in order["required"]  # API senders need not send one
