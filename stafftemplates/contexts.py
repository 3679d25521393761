"""The context every staff template renders: an event's data and the standard values.

A template of an event type reads the event's data by name (`{{ order.number }}`), typed by
its schema (`stafftemplates.schemas.typed_data`), beside values the project supplies to every
template: `shop` and `seller` from settings (what a receipt must name), `recipient`,
`language` and `event`. The standard values win over data keys of the same name, so a sender
cannot pose as the seller. The result is a flat dict of plain values (`engine.ensure_plain`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from .schemas import typed_data

STANDARD_KEYS = ("shop", "seller", "recipient", "language", "event")


def seller_values() -> dict[str, Any]:
    """Who sells: what a receipt must name (`SHOP_LEGAL_NAME`, `SHOP_ADDRESS`, …)."""
    return {
        "legal_name": settings.SHOP_LEGAL_NAME,
        "address": settings.SHOP_ADDRESS,
        "org_number": settings.SHOP_ORG_NUMBER,
        "vat_number": settings.SHOP_VAT_NUMBER,
    }


def template_context(
    *,
    schema: dict,
    data: dict[str, Any],
    recipient_email: str = "",
    recipient_name: str = "",
    language: str = "",
    event_id: int | None = None,
    reference: str = "",
) -> dict[str, Any]:
    """What a template of an event type renders: `data` (valid against `schema`) typed, plus
    the standard values."""
    return {
        **typed_data(schema, data),
        "shop": {"name": settings.SHOP_NAME},
        "seller": seller_values(),
        "recipient": {"email": recipient_email, "name": recipient_name},
        "language": language or settings.LANGUAGE_CODE,
        "event": {"id": event_id, "reference": reference},
    }
