"""Signal receivers, connected in `MessagingConfig.ready()`: one line each, calling a service."""

from .tracking import record_tracking_event


def record_tracking(sender, event, esp_name, **kwargs) -> None:
    """`anymail.signals.tracking`: an authenticated ESP webhook reported on a message."""
    record_tracking_event(event=event, esp_name=esp_name)
