"""Signal receivers, connected in `MessagingConfig.ready()`: one line each, calling a service."""

from .outbox import queue_message
from .tracking import record_tracking_event


def queue_order_confirmation(sender, order, **kwargs) -> None:
    """`shop.signals.order_completed`: runs inside the order's transaction."""
    queue_message(order=order, event="order_confirmation")


def record_tracking(sender, event, esp_name, **kwargs) -> None:
    """`anymail.signals.tracking`: an authenticated ESP webhook reported on a message."""
    record_tracking_event(event=event, esp_name=esp_name)
