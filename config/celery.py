"""Celery application: `celery -A config worker` and `celery -A config beat`."""

import os

from celery import Celery
from celery.signals import celeryd_init

from .connections import persist_in_worker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("sealpost")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Workers serve task after task from the same processes: they keep their connections.
celeryd_init.connect(persist_in_worker)


@celeryd_init.connect
def longer_broker_reads_in_workers(conf=None, **kwargs) -> None:
    """Web processes only publish, and keep the short socket timeout that bounds a checkout
    on a frozen broker; a worker blocks on the broker waiting for tasks and gets a longer one."""
    from django.conf import settings

    conf.broker_transport_options = {
        **conf.broker_transport_options,
        "socket_timeout": settings.CELERY_WORKER_BROKER_SOCKET_TIMEOUT,
    }
