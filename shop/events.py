"""An order as event data: what the shop sends its message center when an order is paid.

The data is the order's flat template context (`shop.documents.order_context`) without the
values the message center adds itself (`shop`, `seller`), as JSON: amounts as decimal strings
(`"format": "decimal"`), the date as an ISO 8601 string with its offset (`"format":
"date-time"`), and the `_formatted`/`_display` strings written in the order's language. The
message center turns those strings back into numbers and dates, so the templates written for
the order context render the same.

The shop knows nothing of the message center (`.importlinter`): the project's wiring (`demo`)
sends this data.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .documents import (
    order_context,
    refund_context,
    sample_order_context,
    sample_refund_context,
    sample_shipment_context,
    shipment_context,
)
from .models import Order, Refund, Shipment

ORDER_CONFIRMATION = "order_confirmation"
ORDER_SHIPPED = "order_shipped"
ORDER_REFUNDED = "order_refunded"

# Bounds a sender could exceed only by mistake; the message center refuses longer values.
_TEXT = {"type": "string", "maxLength": 500}
_DECIMAL = {"type": "string", "format": "decimal"}
_COUNT = {"type": "integer", "minimum": 0}
# The values the books keep when the customer's data is erased (`operations.bookkeeping`,
# docs/operators/bookkeeping.md): what a receipt or credit note must show, nothing personal.
_BOOKS = {"x-bookkeeping": True}


def _amounts(*names: str) -> dict[str, Any]:
    """The schema of an amount written three times (`shop.documents.amounts`): the number is
    kept for the books, the two texts written from it are not."""
    schema: dict[str, Any] = {}
    for name in names:
        schema |= {
            name: _DECIMAL | _BOOKS,
            f"{name}_formatted": _TEXT,
            f"{name}_display": _TEXT,
        }
    return schema


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required}


_DATE_TIME = {"type": "string", "format": "date-time"}
_RECEIPT_NUMBER = {"type": "string", "maxLength": 40, **_BOOKS}

# The order as its receipt names it: number, receipt number and date, amounts.
ORDER = _object(
    {
        "number": {"type": "string", "minLength": 1, "maxLength": 50, **_BOOKS},
        "receipt_number": _RECEIPT_NUMBER,
        "language": _TEXT,
        "status": _TEXT | _BOOKS,
        "date": _DATE_TIME | _BOOKS,
        "date_display": _TEXT,
        "date_short": _TEXT,
        "currency": {"type": "string", "minLength": 3, "maxLength": 3, **_BOOKS},
        **_amounts("subtotal", "total", "vat"),
        "vat_rate": _DECIMAL | _BOOKS,
        "line_count": _COUNT,
        "unit_count": _COUNT,
        "payment_method": _TEXT,
        "card_last4": {"type": "string", "maxLength": 4},
    },
    ["number", "date", "currency", "total"],
)

CUSTOMER = _object(
    dict.fromkeys(
        (
            "first_name",
            "last_name",
            "full_name",
            "email",
            "phone",
            "address_line1",
            "address_line2",
            "postal_code",
            "city",
            "country",
        ),
        _TEXT,
    ),
    ["full_name"],
)

_OPTIONS = {
    "type": "array",
    "maxItems": 50,
    "items": _object({"name": _TEXT, "value": _TEXT}, ["name", "value"]),
}


def _lines(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "array",
        "maxItems": 1000,
        "items": _object({"product": _TEXT | _BOOKS, "options": _OPTIONS, **properties}, required),
    }


_PRICED_LINES = _lines(
    {"quantity": _COUNT | _BOOKS, **_amounts("unit_price", "line_total")},
    ["product", "quantity", "line_total"],
)


def _schema(title: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        **_object(properties, required),
    }


ORDER_CONFIRMATION_SCHEMA: dict[str, Any] = _schema(
    "Order confirmation",
    {"order": ORDER, "customer": CUSTOMER, "lines": _PRICED_LINES},
    ["order", "customer", "lines"],
)

# What a delivery note lists: the lines shipped with their options and quantities, no prices.
ORDER_SHIPPED_SCHEMA: dict[str, Any] = _schema(
    "Order shipped",
    {
        "order": ORDER,
        "customer": CUSTOMER,
        "shipment": _object(
            {
                "date": _DATE_TIME,
                "date_display": _TEXT,
                "date_short": _TEXT,
                "carrier": {"type": "string", "maxLength": 100},
                "tracking_number": {"type": "string", "maxLength": 100},
            },
            ["date"],
        ),
        "lines": _lines({"quantity": _COUNT}, ["product", "quantity"]),
    },
    ["order", "customer", "shipment", "lines"],
)

# A credit note refers unambiguously to the receipt it corrects: its number and date are
# required here; the credited amounts are negative.
ORDER_REFUNDED_SCHEMA: dict[str, Any] = _schema(
    "Order refunded",
    {
        "order": {
            **ORDER,
            "required": ["number", "receipt_number", "date", "currency", "total"],
        },
        "customer": CUSTOMER,
        "refund": _object(
            {
                "number": {"type": "string", "minLength": 1, "maxLength": 60, **_BOOKS},
                "sequence": {"type": "integer", "minimum": 1, **_BOOKS},
                "date": _DATE_TIME | _BOOKS,
                "date_display": _TEXT,
                "date_short": _TEXT,
                "currency": {"type": "string", "minLength": 3, "maxLength": 3, **_BOOKS},
                **_amounts("subtotal", "total", "vat", "amount"),
                "vat_rate": _DECIMAL | _BOOKS,
                "line_count": _COUNT,
                "unit_count": _COUNT,
            },
            ["number", "date", "currency", "total", "vat"],
        ),
        "lines": _PRICED_LINES,
    },
    ["order", "customer", "refund", "lines"],
)


def as_json(value: Any) -> Any:
    """`value` with its decimals and dates written as the strings the schema describes."""
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [as_json(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _event_data(context: dict[str, Any]) -> dict[str, Any]:
    return as_json({key: value for key, value in context.items() if key not in ("shop", "seller")})


def order_confirmation_data(order: Order) -> dict[str, Any]:
    """The data of `order`'s confirmation event, written in the order's language."""
    return _event_data(order_context(order))


def order_confirmation_example(*, language: str | None = None) -> dict[str, Any]:
    """The made-up order previews render, as event data (the event type's example)."""
    return _event_data(sample_order_context(language=language))


def order_shipped_data(shipment: Shipment) -> dict[str, Any]:
    """The data of the shipping notice of `shipment`, written in its order's language."""
    return _event_data(shipment_context(shipment))


def order_shipped_example(*, language: str | None = None) -> dict[str, Any]:
    return _event_data(sample_shipment_context(language=language))


def order_refunded_data(refund: Refund) -> dict[str, Any]:
    """The data of the credit note of `refund`, written in its order's language."""
    return _event_data(refund_context(refund))


def order_refunded_example(*, language: str | None = None) -> dict[str, Any]:
    return _event_data(sample_refund_context(language=language))
