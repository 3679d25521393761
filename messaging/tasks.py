"""Celery tasks: ids in, one workflow call each.

Delivery is at-least-once (acks late, rejected on worker loss, see config/settings.py); the
claim makes a second run of the same task a no-op. Retries are not Celery retries: the
schedule lives in the outbox row (`next_attempt_at`), so it survives a broker restart.

Worker process policy (warm-up, garbage-collector freeze, connection checks before each task)
is the project's choice, not this app's: see config/celery.py.
"""

from celery import shared_task

from . import delivery, relay


@shared_task(name="messaging.deliver_message", ignore_result=True)
def deliver_message(message_id: int) -> None:
    """Deliver one queued message (by id: no personal data ever crosses the broker)."""
    delivery.deliver_message(message_id=message_id)


@shared_task(name="messaging.deliver_messages", ignore_result=True)
def deliver_messages(message_ids: list[int]) -> None:
    """Deliver a batch of queued messages the publisher knew of together (the relay, a resend
    run): one task per batch instead of one per message."""
    delivery.deliver_messages(message_ids=message_ids)


@shared_task(name="messaging.relay_due_messages", ignore_result=True)
def relay_due_messages() -> None:
    """Celery beat's periodic sweep: re-enqueue due rows and expired claims."""
    relay.relay_due_messages()
