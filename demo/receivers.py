"""Signal receivers, connected in `DemoConfig.ready()`: one line each, calling a service."""

from . import events


def send_order_confirmation(sender, order, **kwargs) -> None:
    """`shop.signals.order_completed`: runs inside the order's transaction."""
    events.send_order_confirmation(order=order)


def send_order_shipped(sender, order, shipment, **kwargs) -> None:
    """`shop.signals.order_shipped`: runs inside the shipment's transaction."""
    events.send_order_shipped(shipment=shipment)


def send_order_refunded(sender, order, refund, **kwargs) -> None:
    """`shop.signals.order_refunded`: runs inside the refund's transaction."""
    events.send_order_refunded(refund=refund)
