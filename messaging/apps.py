from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        from anymail.signals import tracking

        from shop.signals import order_completed

        from . import checks, receivers  # noqa: F401 - checks register themselves

        # dispatch_uid: connected once even if ready() runs twice (test runners do that).
        order_completed.connect(
            receivers.queue_order_confirmation, dispatch_uid="messaging.order_confirmation"
        )
        tracking.connect(receivers.record_tracking, dispatch_uid="messaging.tracking")
