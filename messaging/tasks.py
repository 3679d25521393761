"""Celery tasks: ids in, one service call each.

Delivery is at-least-once (acks late, rejected on worker loss, see config/settings.py); the
service's claim makes a second run of the same task a no-op. Retries are not Celery retries:
the schedule lives in the outbox row (`next_attempt_at`), so it survives a broker restart.
"""

from celery import shared_task
from celery.signals import task_prerun, worker_process_init
from django.db import close_old_connections

from . import services


@shared_task(name="messaging.deliver_message", ignore_result=True)
def deliver_message(message_id: int) -> None:
    """Deliver one queued message (by id: no personal data ever crosses the broker)."""
    services.deliver_message(message_id=message_id)


@shared_task(name="messaging.relay_due_messages", ignore_result=True)
def relay_due_messages() -> None:
    """Celery beat's periodic sweep: re-enqueue due rows and expired claims."""
    services.relay_due_messages()


@worker_process_init.connect
def warm_up_worker(**kwargs) -> None:
    """Pay the first PDF render's import and font set-up cost when a worker process starts,
    not on the first customer's email."""
    services.warm_up()
    services.freeze_startup_objects()


@task_prerun.connect
def check_database_connections(sender=None, **kwargs) -> None:
    """Before each task, what Django does before each request: drop a connection that broke
    or outlived CONN_MAX_AGE, so the task opens a fresh one (Celery's fix-up no longer closes
    it after every task: CELERY_DB_REUSE_MAX). Eager tasks run inside a request: left alone."""
    if sender is not None and not getattr(sender.request, "is_eager", False):
        close_old_connections()
