"""Signal receivers, connected in `DemoConfig.ready()`: one line each, calling a service."""

from .events import send_order_confirmation as send_confirmation_event


def send_order_confirmation(sender, order, **kwargs) -> None:
    """`shop.signals.order_completed`: runs inside the order's transaction."""
    send_confirmation_event(order=order)
