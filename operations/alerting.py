"""Alert state: check every rule, record firings and resolutions, and email them once.

A firing rule emails once, then at most every `ALERT_REPEAT_MINUTES` while it fires, and once
more when it clears. Each rule's state row is locked while its transition is decided, so beat
and a cron run of `check_delivery_health` at the same moment send one email, not two.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from . import notify, rules
from .conf import AlertSettings
from .models import AlertEvent, AlertState

logger = logging.getLogger(__name__)


def check_delivery_health(
    *, now: datetime | None = None, record: bool = True
) -> list[rules.Finding]:
    """Evaluate every rule; with `record`, update their states and send the emails due."""
    now = now or timezone.now()
    config = AlertSettings.from_settings()
    findings = rules.evaluate(now=now, config=config)
    if record:
        for finding in findings:
            event = _transition(finding=finding, now=now, config=config)
            if event is not None:
                _notify(event=event, now=now)
    return findings


def _transition(*, finding: rules.Finding, now: datetime, config: AlertSettings):
    """Update the rule's state; returns the AlertEvent to email, or None."""
    AlertState.objects.get_or_create(rule=finding.rule, defaults={"checked_at": now})
    with transaction.atomic():
        state = AlertState.objects.select_for_update().get(rule=finding.rule)
        kind = _event_kind(state=state, firing=finding.firing, now=now, config=config)
        if kind is not None and kind != AlertEvent.Kind.REMINDER:
            state.firing = finding.firing
            state.since = now
        state.summary = finding.summary
        state.checked_at = now
        if kind is not None:
            # Claimed now, inside the lock: a concurrent check sees it and stays quiet. A
            # failed email clears it again (see _notify), so the next check retries.
            state.last_notified_at = now if finding.firing else None
        state.save()
        if kind is None:
            return None
        return AlertEvent.objects.create(
            rule=finding.rule, kind=kind, summary=finding.summary, occurred_at=now
        )


def _event_kind(*, state: AlertState, firing: bool, now: datetime, config: AlertSettings):
    if firing and not state.firing:
        return AlertEvent.Kind.FIRING
    if not firing and state.firing:
        return AlertEvent.Kind.RESOLVED
    repeat = timedelta(minutes=config.repeat_minutes)
    if firing and (state.last_notified_at is None or now - state.last_notified_at >= repeat):
        return AlertEvent.Kind.REMINDER
    return None


def _notify(*, event: AlertEvent, now: datetime) -> None:
    error = notify.send_alert_email(event=event)
    if error == notify.NO_RECIPIENTS:
        # A deliberate configuration (development, or alerts read on the page only): recorded
        # and logged once per email due, not retried every check.
        logger.warning("Alert %s: %s — %s (%s)", event.rule, event.kind, event.summary, error)
        AlertEvent.objects.filter(pk=event.pk).update(email_error=error)
        return
    if error:
        logger.error(
            "Alert %s (%s) could not be emailed: %s. It is recorded on the Delivery health "
            "page; the next check tries again.",
            event.rule,
            event.kind,
            error,
        )
        AlertEvent.objects.filter(pk=event.pk).update(email_error=error[:200])
        if event.kind != AlertEvent.Kind.RESOLVED:
            AlertState.objects.filter(rule=event.rule, last_notified_at=now).update(
                last_notified_at=None
            )
        return
    logger.warning("Alert %s: %s — %s", event.rule, event.kind, event.summary)
    AlertEvent.objects.filter(pk=event.pk).update(email_sent=True)
