"""The standalone project's Celery app, configured from its Django settings (CELERY_*)."""

from celery import Celery

app = Celery("standalone")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
