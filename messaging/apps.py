from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        from anymail.signals import tracking

        from . import access_tasks, checks, receivers  # noqa: F401 - register themselves

        # dispatch_uid: connected once even if ready() runs twice (test runners do that).
        tracking.connect(receivers.record_tracking, dispatch_uid="messaging.tracking")
