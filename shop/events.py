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

from .documents import order_context, sample_order_context
from .models import Order

ORDER_CONFIRMATION = "order_confirmation"

# Bounds a sender could exceed only by mistake; the message center refuses longer values.
_TEXT = {"type": "string", "maxLength": 500}
_DECIMAL = {"type": "string", "format": "decimal"}
_COUNT = {"type": "integer", "minimum": 0}


# Marks a value the books keep when the customer is erased or the message is old: the message
# center cuts an erased event's data to the values so marked (an annotation validators ignore;
# docs/operators/bookkeeping.md says why each one is, or is not).
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


ORDER_CONFIRMATION_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Order confirmation",
    **_object(
        {
            "order": _object(
                {
                    "number": {"type": "string", "minLength": 1, "maxLength": 50, **_BOOKS},
                    "language": _TEXT,
                    "status": _TEXT | _BOOKS,
                    "date": {"type": "string", "format": "date-time", **_BOOKS},
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
            ),
            "customer": _object(
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
            ),
            "lines": {
                "type": "array",
                "maxItems": 1000,
                "items": _object(
                    {
                        "product": _TEXT | _BOOKS,
                        "options": {
                            "type": "array",
                            "maxItems": 50,
                            "items": _object({"name": _TEXT, "value": _TEXT}, ["name", "value"]),
                        },
                        "quantity": _COUNT | _BOOKS,
                        **_amounts("unit_price", "line_total"),
                    },
                    ["product", "quantity", "line_total"],
                ),
            },
        },
        ["order", "customer", "lines"],
    ),
}


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
