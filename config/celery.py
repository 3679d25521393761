"""Celery application: `celery -A config worker` and `celery -A config beat`.

The worker process policy lives here, with the project: how a worker warms up, whether it
freezes its start-up objects, how it checks database connections before each task. A project
reusing `messaging` chooses its own.
"""

import gc
import logging
import os

from celery import Celery
from celery.signals import celeryd_init, task_prerun, worker_init, worker_process_init

from .connections import persist_in_worker
from .kombu_redis import guard_restore_unacked

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = logging.getLogger(__name__)

app = Celery("sealpost")
app.config_from_object("django.conf:settings", namespace="CELERY")
if not app.conf.broker_url:
    # No broker (development, the tests): tasks run in-process, but a publish still builds a
    # broker connection. Kombu's in-memory transport, named with a host, instead of its
    # default AMQP without one, whose "No hostname was supplied" every resend would print.
    app.conf.broker_url = "memory://localhost/"
app.autodiscover_tasks()
# A Redis broker that dies while a worker holds tasks must not stop the worker for good.
guard_restore_unacked()
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


def warm_up() -> None:
    """Draw and encrypt one tiny throwaway document so a new worker process pays xhtml2pdf's
    first-render cost (imports, fonts: 0.5-0.8 s) before its first customer; never fails the
    worker."""
    from attachments.api import warm_up as draw_first_document

    try:
        draw_first_document()
    except Exception as exc:
        logger.warning("Worker warm-up failed (%s).", type(exc).__name__)


def freeze_startup_objects() -> None:
    """Hide what a warmed-up worker holds for good (modules, fonts, compiled templates) from
    the garbage collector, so its full collections walk only what one delivery allocates.

    Nothing is skipped: frozen objects stay alive, as they would anyway. Measured here, one
    full collection over a warmed-up worker took ~55 ms; it lands on whichever message is
    being delivered at the time. Call once, after `warm_up`, in each worker process.
    """
    gc.collect()
    gc.freeze()


@worker_init.connect
def warm_up_before_forking(**kwargs) -> None:
    """Warm the worker's main process too, before its pool starts: prefork children are forked
    from it and inherit the imports, fonts and first-render state, so each child's own warm-up
    (`warm_up_worker`, still run: it proves the child can draw) costs ~20 ms of CPU instead of
    ~120 ms, also for a child that replaces one mid-burst; a pool without children (threads)
    starts warm at all. Frozen before the fork, the shared objects are never written by a
    collection in a child, so their pages stay shared."""
    warm_up()
    freeze_startup_objects()


@worker_process_init.connect
def warm_up_worker(**kwargs) -> None:
    """Pay the first PDF render's import and font set-up cost when a worker process starts,
    not on the first customer's email."""
    warm_up()
    freeze_startup_objects()


@task_prerun.connect
def check_database_connections(sender=None, **kwargs) -> None:
    """Before each task, what Django does before each request: drop a connection that broke
    or outlived CONN_MAX_AGE, so the task opens a fresh one (Celery's fix-up no longer closes
    it after every task: CELERY_DB_REUSE_MAX). Eager tasks run inside a request: left alone."""
    from django.db import close_old_connections

    if sender is not None and not getattr(sender.request, "is_eager", False):
        close_old_connections()
