"""Records each relay sweep, so the relay rule notices when beat (or cron) stopped running it."""

from __future__ import annotations

import logging

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import RelayHeartbeat

logger = logging.getLogger(__name__)

HEARTBEAT_PK = 1


def record_relay_run(*, report, **kwargs) -> None:
    """`messaging.signals.relay_finished` receiver: stamp the heartbeat; never fails the relay."""
    fields = {
        "last_run_at": timezone.now(),
        "last_released": report.released,
        "last_published": report.published,
    }
    try:
        with transaction.atomic():
            updated = RelayHeartbeat.objects.filter(pk=HEARTBEAT_PK).update(
                runs=F("runs") + 1, **fields
            )
            if not updated:
                _create(fields)
    except DatabaseError as exc:
        # The relay did its work; a missed stamp only makes the rule fire sooner.
        logger.warning("Could not record the relay run (%s).", type(exc).__name__)


def _create(fields: dict) -> None:
    try:
        with transaction.atomic():
            RelayHeartbeat.objects.create(pk=HEARTBEAT_PK, runs=1, **fields)
    except IntegrityError:  # another sweep created it at the same moment
        RelayHeartbeat.objects.filter(pk=HEARTBEAT_PK).update(runs=F("runs") + 1, **fields)


def last_relay_run():
    """The heartbeat row, or None when no sweep was ever recorded."""
    return RelayHeartbeat.objects.filter(pk=HEARTBEAT_PK).first()
