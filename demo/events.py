"""The demo shop as a client of its message center: its event types (`seed_event_types`) and
the events it sends about an order (confirmation, shipping notice, refund), through the same
`send_event` any shop uses, each inside the transaction that records what happened."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from messaging.events import SentEvent, send_event
from shop.events import (
    ORDER_CONFIRMATION,
    ORDER_CONFIRMATION_SCHEMA,
    ORDER_REFUNDED,
    ORDER_REFUNDED_SCHEMA,
    ORDER_SHIPPED,
    ORDER_SHIPPED_SCHEMA,
    order_confirmation_data,
    order_confirmation_example,
    order_refunded_data,
    order_refunded_example,
    order_shipped_data,
    order_shipped_example,
)
from shop.models import Order, Refund, Shipment
from stafftemplates.models import EventType


class SeedRefused(Exception):
    """Seeding would leave an event type whose schema its example or published templates
    no longer satisfy: nothing was changed; the message says why."""


@dataclass(frozen=True)
class DemoType:
    code: str
    name: str
    description: str
    schema: dict[str, Any]
    example: Callable[..., dict[str, Any]]
    # Earlier demo schemas: a type still holding one exactly gets the current schema.
    previous_schemas: tuple[dict[str, Any], ...] = ()


def _without_receipt_number(schema: dict[str, Any]) -> dict[str, Any]:
    earlier = copy.deepcopy(schema)
    del earlier["properties"]["order"]["properties"]["receipt_number"]
    return earlier


DEMO_TYPES = (
    DemoType(
        ORDER_CONFIRMATION,
        "Order confirmation",
        "An order was paid: the confirmation email and its receipt PDF.",
        ORDER_CONFIRMATION_SCHEMA,
        order_confirmation_example,
        (_without_receipt_number(ORDER_CONFIRMATION_SCHEMA),),
    ),
    DemoType(
        ORDER_SHIPPED,
        "Order shipped",
        "An order left the warehouse: the shipping notice and its delivery note PDF.",
        ORDER_SHIPPED_SCHEMA,
        order_shipped_example,
    ),
    DemoType(
        ORDER_REFUNDED,
        "Order refunded",
        "Some of an order was refunded: the refund email and its credit note PDF.",
        ORDER_REFUNDED_SCHEMA,
        order_refunded_example,
    ),
)


def seed_event_types() -> EventType:
    """Create the demo's event types unless they exist (staff may have edited them since: their
    schema and example stay, but for a schema still exactly an earlier demo one, which gets the
    current one); returns `order_confirmation`.

    Each type written is checked first like an admin save (`EventType.full_clean`: the schema
    is one, the example satisfies it, the type's published templates render it); a refusal
    raises `SeedRefused` and writes nothing of that type.
    """
    types = {demo.code: _seed_type(demo) for demo in DEMO_TYPES}
    return types[ORDER_CONFIRMATION]


def ensure_event_type(code: str) -> EventType:
    """The demo type `code`, created as `seed_event_types` does when missing (a database
    seeded before it existed still sends). An existing type is taken as it is: upgrading a
    schema is the seed's business, never a checkout's."""
    if (event_type := EventType.objects.filter(code=code).first()) is not None:
        return event_type
    return _seed_type(next(demo for demo in DEMO_TYPES if demo.code == code))


def _seed_type(demo: DemoType) -> EventType:
    event_type = EventType.objects.filter(code=demo.code).first()
    if event_type is None:
        event_type = EventType(
            code=demo.code,
            name=demo.name,
            description=demo.description,
            schema=demo.schema,
            example=demo.example(language=settings.LANGUAGE_CODE),
        )
    elif event_type.schema in demo.previous_schemas:
        event_type.schema = demo.schema
        if data_unchanged(event_type.example, demo):
            event_type.example = demo.example(language=settings.LANGUAGE_CODE)
    else:
        return event_type  # staff's own
    try:
        event_type.full_clean()
    except ValidationError as error:
        problems = "; ".join(
            f"{field}: {message}"
            for field, messages in error.message_dict.items()
            for message in messages
        )
        raise SeedRefused(f"Event type {demo.code!r} was left as it was: {problems}") from error
    event_type.save()
    return event_type


def data_unchanged(example: dict[str, Any], demo: DemoType) -> bool:
    """Whether `example` is the demo's own (in any demo language), minus what later schemas
    added: staff did not edit it, so it may be replaced."""
    for language, _name in settings.LANGUAGES:
        current = demo.example(language=language)
        current.get("order", {}).pop("receipt_number", None)
        if example == current:
            return True
    return False


def send_order_confirmation(*, order: Order) -> SentEvent:
    """The confirmation event of a paid `order`, inside the order's transaction: it commits
    with the order or not at all. The order number is the idempotency key, so completing the
    same order twice sends one email."""
    ensure_event_type(ORDER_CONFIRMATION)  # a database seeded before event types still sends
    return _send(order, ORDER_CONFIRMATION, order_confirmation_data(order), f"order:{order.number}")


def send_order_shipped(*, shipment: Shipment) -> SentEvent:
    """The shipping notice of `shipment`, inside the transaction that records it (an order
    ships once: one notice per order)."""
    ensure_event_type(ORDER_SHIPPED)
    order = shipment.order
    return _send(order, ORDER_SHIPPED, order_shipped_data(shipment), f"shipped:{order.number}")


def send_order_refunded(*, refund: Refund) -> SentEvent:
    """The refund email of `refund`, inside the transaction that records it: each refund of an
    order is its own event (`refund:<order number>:<sequence>`)."""
    ensure_event_type(ORDER_REFUNDED)
    order = refund.order
    key = f"refund:{order.number}:{refund.sequence}"
    return _send(order, ORDER_REFUNDED, order_refunded_data(refund), key)


def _send(order: Order, code: str, data: dict[str, Any], key: str) -> SentEvent:
    customer = order.customer
    return send_event(
        type=code,
        recipient=customer.email,
        recipient_name=customer.full_name,
        language=order.language,
        data=data,
        reference=order.number,
        idempotency_key=key,
        # The order's token: every PDF about the order opens with the password the order's
        # confirmation page showed.
        token=order.token,
    )
