"""The demo shop's event types: what its message center can be sent (`seed_event_types`)."""

from django.conf import settings

from shop.events import ORDER_CONFIRMATION, ORDER_CONFIRMATION_SCHEMA, order_confirmation_example
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
