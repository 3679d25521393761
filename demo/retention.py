"""The shop's customers and orders, as erasure and retention reach them (`RETENTION_RECORDS`,
operations/records.py says what each method does).

Erasure replaces what the shop's models declare personal (`Customer.ERASED_VALUES`,
`OrderLine.ERASED_VALUES`) and keeps each order's accounting fields (`Order.ACCOUNTING_FIELDS`,
`OrderLine.ACCOUNTING_FIELDS`) for the books; once their bookkeeping period is over, retention
deletes those orders and the erased customer rows left without one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from shop.models import ERASED_ADDRESS, Customer, Order, OrderLine
from shop.views import PLACED_ORDERS_SESSION_KEY

CHUNK = 1000


class ShopRecords:
    def find(self, address: str) -> dict[str, Any]:
        """The customer rows with `address` (any letter case), locked, and their orders."""
        customers = list(
            Customer.objects.select_for_update()
            .filter(email__iexact=address)
            .values_list("pk", flat=True)
        )
        orders = list(Order.objects.filter(customer_id__in=customers).values_list("pk", "number"))
        order_ids = [pk for pk, _number in orders]
        return {
            "customers": customers,
            "orders": order_ids,
            # The demo's confirmation events carry the order number (demo/events.py).
            "references": [number for _pk, number in orders],
            "admin_objects": [(Customer, customers)],
            "session_values": {PLACED_ORDERS_SESSION_KEY: order_ids},
        }

    def erase(self, found: dict[str, Any]) -> None:
        """The fields the models declare personal, each replaced by its declared value."""
        Customer.objects.filter(pk__in=found["customers"]).update(**Customer.ERASED_VALUES)
        if Order.ERASED_VALUES:
            Order.objects.filter(pk__in=found["orders"]).update(**Order.ERASED_VALUES)
        OrderLine.objects.filter(order_id__in=found["orders"]).update(**OrderLine.ERASED_VALUES)

    def purge(self, before: datetime, *, dry_run: bool) -> int:
        """Delete erased customers' orders (their lines with them) created before `before`,
        a chunk per transaction, then the erased customer rows left without an order."""
        kept = Order.objects.filter(customer__email=ERASED_ADDRESS, created_at__lt=before)
        if dry_run:
            return kept.count()
        deleted = 0
        while chunk := list(kept.order_by("pk").values_list("pk", flat=True)[:CHUNK]):
            with transaction.atomic():
                OrderLine.objects.filter(order_id__in=chunk).delete()
                Order.objects.filter(pk__in=chunk).delete()
            deleted += len(chunk)
        Customer.objects.filter(email=ERASED_ADDRESS, orders__isnull=True).delete()
        return deleted
