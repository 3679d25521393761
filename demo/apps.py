from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Nordic Goods, the demo shop: its catalog, its confirmation email and PDF, the
    `seed_demo` command that loads them, and the wiring that makes the shop a client of the
    message center (`demo.events`). Project content, not part of any reusable app."""

    name = "demo"
    verbose_name = "Nordic Goods demo"

    def ready(self) -> None:
        from shop.signals import order_completed, order_refunded, order_shipped

        from . import receivers

        # dispatch_uid: connected once even if ready() runs twice (test runners do that).
        order_completed.connect(
            receivers.send_order_confirmation, dispatch_uid="demo.order_confirmation"
        )
        order_shipped.connect(receivers.send_order_shipped, dispatch_uid="demo.order_shipped")
        order_refunded.connect(receivers.send_order_refunded, dispatch_uid="demo.order_refunded")
