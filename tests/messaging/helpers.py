"""What the messaging tests do again and again: complete an order as checkout does, or queue
a confirmation, and let the (eager) engine play out what the commit publishes.

Both run the commit's callbacks through Django's `TestCase.captureOnCommitCallbacks`, the API
pytest-django's `django_capture_on_commit_callbacks` fixture wraps: one on-commit API for the
whole suite.
"""

from django.db import transaction
from django.test import TestCase

from messaging import outbox
from messaging.models import Message
from shop.models import Order
from shop.signals import order_completed
from tests.factories import OrderFactory


def complete(order: Order | None = None, **customer) -> Order:
    """An order completed as checkout does (`order_completed` inside its transaction); its
    confirmation is delivered on commit. `customer` fields go to a new order's customer."""
    with TestCase.captureOnCommitCallbacks(execute=True), transaction.atomic():
        if order is None:
            order = OrderFactory(**{f"customer__{k}": v for k, v in customer.items()})
        order_completed.send(sender=Order, order=order)
    return order


def deliver_order(order: Order | None = None) -> Message:
    """Queue a confirmation as checkout does, deliver it on commit, and return it as recorded."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        message = outbox.queue_message(order=order or OrderFactory(), event="order_confirmation")
    message.refresh_from_db()
    return message
