"""Operations: delivery health in admin, alerts, /metrics and /healthz, retention and erasure."""

from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from django.contrib import admin

        from messaging.signals import relay_finished

        from . import heartbeat

        relay_finished.connect(heartbeat.record_relay_run, dispatch_uid="operations-relay-run")
        # The admin index links to the dashboard (a template of this app that extends the
        # admin's own index), without overriding admin/index.html for the whole project.
        admin.site.index_template = "operations/admin_index.html"
