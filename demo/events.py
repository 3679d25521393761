"""The demo shop as a client of its message center: its event types (`seed_event_types`) and
the events it sends (`send_order_confirmation`), through the same `send_event` any shop uses."""

from django.conf import settings

from messaging.events import SentEvent, send_event
from shop.events import (
    ORDER_CONFIRMATION,
    ORDER_CONFIRMATION_SCHEMA,
    order_confirmation_data,
    order_confirmation_example,
)
from shop.models import Order
from stafftemplates.models import EventType


def seed_event_types() -> EventType:
    """Create the `order_confirmation` type unless it exists (staff may have edited it since:
    their schema and example stay); returns it."""
    event_type, _created = EventType.objects.get_or_create(
        code=ORDER_CONFIRMATION,
        defaults={
            "name": "Order confirmation",
            "description": "An order was paid: the confirmation email and its receipt PDF.",
            "schema": ORDER_CONFIRMATION_SCHEMA,
            "example": order_confirmation_example(language=settings.LANGUAGE_CODE),
        },
    )
    return event_type


def send_order_confirmation(*, order: Order) -> SentEvent:
    """The confirmation event of a paid `order`, inside the order's transaction: it commits
    with the order or not at all. The order number is the idempotency key, so completing the
    same order twice sends one email."""
    seed_event_types()  # a database seeded before event types existed still sends
    customer = order.customer
    return send_event(
        type=ORDER_CONFIRMATION,
        recipient=customer.email,
        recipient_name=customer.full_name,
        language=order.language,
        data=order_confirmation_data(order),
        reference=order.number,
        idempotency_key=f"order:{order.number}",
        token=order.token,  # the passwords the order's pages always showed
    )
