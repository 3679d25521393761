"""The project package as an app, so the deployment checks in `config.checks` register."""

from django.apps import AppConfig


class ConfigConfig(AppConfig):
    name = "config"
    verbose_name = "Deployment configuration"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - checks register themselves
