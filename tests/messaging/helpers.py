"""What the messaging tests do again and again: complete an order as checkout does, or queue
a confirmation, and let the (eager) engine play out what the commit publishes.

Both run the commit's callbacks through Django's `TestCase.captureOnCommitCallbacks`, the API
pytest-django's `django_capture_on_commit_callbacks` fixture wraps: one on-commit API for the
whole suite.
"""

from django.db import transaction
from django.test import TestCase

from messaging.events import SentEvent, send_event
from messaging.models import Message
from shop.events import ORDER_CONFIRMATION, order_confirmation_data
from shop.models import Order
from tests.factories import OrderFactory


def complete(order: Order | None = None, **customer) -> Order:
    """An order completed as a client of the message center completes it: its confirmation
    event sent inside the order's transaction, delivered on commit. `customer` fields go to a
    new order's customer. (The demo's own wiring, the shop's `order_completed` signal, is
    tested in test_checkout_flow.py.)"""
    with TestCase.captureOnCommitCallbacks(execute=True), transaction.atomic():
        if order is None:
            order = OrderFactory(**{f"customer__{k}": v for k, v in customer.items()})
        send_order_event(order)
    return order


def send_order_event(order: Order, **overrides) -> SentEvent:
    """The order's confirmation event, sent as the storefront sends it (`demo.events`)."""
    customer = order.customer
    request = {
        "type": ORDER_CONFIRMATION,
        "recipient": customer.email,
        "recipient_name": customer.full_name,
        "language": order.language,
        "data": order_confirmation_data(order),
        "reference": order.number,
        "idempotency_key": f"order:{order.number}",
        "token": order.token,
    }
    return send_event(**(request | overrides))


def queue_order(order: Order, **overrides) -> Message | None:
    """Send the order's confirmation event and return its first message (None: the event was
    ignored, for want of a published template)."""
    event = send_order_event(order, **overrides).event
    return event.messages.filter(is_proof=False, sequence=0).first()


def deliver_order(order: Order | None = None) -> Message:
    """Queue a confirmation as checkout does, deliver it on commit, and return it as recorded."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        message = queue_order(order or OrderFactory())
    message.refresh_from_db()
    return message


def messages_of(order: Order):
    """The messages of the order's events (found by its number), proofs of it included."""
    return Message.objects.filter(event__client=None, event__reference=order.number)


def message_of(order: Order) -> Message:
    """The one message of the order's events."""
    return messages_of(order).get()
