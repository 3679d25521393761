"""The relay: re-enqueue what the normal path lost (Celery beat's sweep, `relay_messages`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import outbox
from .models import Message, MessageEvent
from .signals import relay_finished

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RelayReport:
    released: int  # sending rows whose claim expired, put back in the queue
    published: int  # queued rows (due, apparently lost in transit) published again


def relay_due_messages(
    *, now: datetime | None = None, limit: int = 1000, dry_run: bool = False
) -> RelayReport:
    """Re-enqueue what the normal path lost: expired claims and due rows never picked up.

    A `sending` row whose claim expired belonged to a worker that died: it goes back to
    `queued`. A `queued` row due for longer than the grace period was never picked up (the
    broker was down at checkout, or the task was lost): it is published again, and its due time
    is moved to now so the next run leaves it alone for another grace period. Safe to run
    concurrently with workers and with itself: every change is a locked, conditional write.
    With `dry_run`, only counts what it would do.
    """
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.MESSAGING_RELAY_GRACE_SECONDS)
    if dry_run:
        return RelayReport(
            released=min(limit, Message.objects.claim_expired(now=now).count()),
            published=min(limit, Message.objects.due(now=stale).count()),
        )
    released = 0
    expired = list(
        Message.objects.claim_expired(now=now)
        .order_by("claimed_until")
        .values_list("pk", "is_proof")[:limit]
    )
    released_ids: dict[bool, list[int]] = {False: [], True: []}
    for message_id, proof in expired:
        with transaction.atomic():
            message = (
                Message.objects.claim_expired(now=now)
                .select_for_update(skip_locked=True)
                .filter(pk=message_id)
                .first()
            )
            if message is None:
                continue
            message.release_expired_claim(now=now)
            if message.attempts >= settings.MESSAGING_MAX_ATTEMPTS:
                message.mark_failed(reason="The worker stopped during the last attempt.")
                continue
        released += 1
        released_ids[proof].append(message_id)
    for proof, message_ids in released_ids.items():
        outbox.publish_deliveries(message_ids, proof=proof)

    published = 0
    lost = list(
        Message.objects.due(now=stale)
        .order_by("next_attempt_at")
        .values_list("pk", "is_proof")[:limit]
    )
    lost_ids: dict[bool, list[int]] = {False: [], True: []}
    for message_id, proof in lost:
        if Message.objects.due(now=stale).filter(pk=message_id).update(next_attempt_at=now):
            MessageEvent.objects.create(
                message_id=message_id,
                kind=MessageEvent.Kind.RELAYED,
                detail="Due but never picked up (broker down or task lost).",
            )
            lost_ids[proof].append(message_id)
    for proof, message_ids in lost_ids.items():
        # A backlog (the broker was down for a while) goes out one task per batch.
        published += outbox.publish_deliveries(message_ids, proof=proof)
    if released or published:
        logger.info(
            "Relay: %s expired claims released, %s messages re-enqueued.", released, published
        )
    report = RelayReport(released=released, published=published)
    relay_finished.send(sender=RelayReport, report=report)
    return report
