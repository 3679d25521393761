"""Receipt numbers: one gapless series per calendar year, e.g. ``NG-2026-000123``.

Swedish bookkeeping wants receipts numbered in an unbroken series, so a number is taken from a
counter row per year, locked (`select_for_update`) in the transaction that records the payment:
concurrent checkouts queue on that row and get consecutive numbers, and a checkout that rolls
back rolls its increment back with it, leaving no gap. The lock is taken last, after the card
was authorised, so it is held only for the rest of that transaction (the receivers' inserts).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import ReceiptCounter


def format_receipt_number(year: int, number: int, *, prefix: str | None = None) -> str:
    """``NG-2026-000123``: the prefix (`SHOP_RECEIPT_PREFIX`), the year, six digits or more."""
    prefix = settings.SHOP_RECEIPT_PREFIX if prefix is None else prefix
    return f"{prefix}-{year}-{number:06d}"


def next_receipt_number(*, on: date | None = None) -> str:
    """The next number of the year of `on` (today in `TIME_ZONE` by default).

    Must run inside the transaction that stores it: the counter row stays locked until that
    commits or rolls back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("A receipt number is taken inside the transaction that stores it.")
    year = (on or timezone.localdate()).year
    # The year's first checkout creates the row; a concurrent one waits for that insert to
    # commit (ON CONFLICT DO NOTHING) and then locks the same row.
    ReceiptCounter.objects.bulk_create([ReceiptCounter(year=year, last=0)], ignore_conflicts=True)
    counter = ReceiptCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return format_receipt_number(year, counter.last)
