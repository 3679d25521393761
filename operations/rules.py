"""The alert rules: each reads a few bounded aggregates and says whether it fires, and why.

Pure reads. A summary carries counts, durations and ids only — never an address or an ESP's
error text (which can quote one) — because it goes into alert emails and logs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Count, Max, Min, Q

from messaging.models import Event, Message, MessageEvent

from .conf import AlertSettings
from .heartbeat import last_relay_run

# How far back the "orders waiting" rule looks: bounds the query whatever the outage's length.
NO_ACCEPTANCE_LOOKBACK = timedelta(days=1)
IDS_SHOWN = 10
BOUNCE_TYPES = ("bounced", "rejected")


@dataclass(frozen=True)
class Finding:
    rule: str
    firing: bool
    summary: str


@dataclass(frozen=True)
class Rule:
    name: str
    title: str
    check: Callable[..., Finding]


def minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def duration(minutes: int) -> str:
    """A number of minutes as an operator says it: "15 min", "90 min", "24 h", "2 h 30 min"
    (minutes up to two hours; "1440 min" is not read as a day)."""
    if minutes < 120:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def ago(delta: timedelta) -> str:
    """A wait as an operator reads it: seconds under two minutes (a relay every few seconds
    can be late by less than one), minutes under two hours, then hours and minutes."""
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def percent(ratio: float) -> str:
    return f"{ratio * 100:.0f}%"


def ids(values) -> str:
    shown = [f"#{v}" for v in list(values)[:IDS_SHOWN]]
    return ", ".join(shown) if shown else "none"


def check_queue_age(*, now: datetime, config: AlertSettings) -> Finding:
    """The oldest queued message (created, not yet accepted) waited longer than the limit."""
    queued = Message.objects.filter(status=Message.Status.QUEUED)
    oldest = queued.order_by("created_at").values_list("pk", "created_at", "event__type_id").first()
    if oldest is None:
        return Finding("queue_age", False, "Nothing is queued.")
    pk, created_at, event_type = oldest
    waited = minutes(now - created_at)
    firing = now - created_at > timedelta(minutes=config.queue_age_minutes)
    named = f"#{pk}, {event_type}" if event_type else f"#{pk}"
    return Finding(
        "queue_age",
        firing,
        f"The oldest queued message ({named}) has waited {duration(waited)}; {queued.count()} "
        f"queued (limit {duration(config.queue_age_minutes)}).",
    )


def check_failure_ratio(*, now: datetime, config: AlertSettings) -> Finding:
    """Failed outcomes over accepted and failed ones in the window (the history's index)."""
    since = now - timedelta(minutes=config.window_minutes)
    outcomes = MessageEvent.objects.filter(
        kind__in=[MessageEvent.Kind.SENT, MessageEvent.Kind.FAILED], occurred_at__gte=since
    ).aggregate(total=Count("id"), failed=Count("id", filter=Q(kind=MessageEvent.Kind.FAILED)))
    total, failed = outcomes["total"], outcomes["failed"]
    ratio = failed / total if total else 0.0
    firing = total >= config.min_sample and ratio > config.failure_ratio
    summary = (
        f"{failed} of {total} outcomes in the last {duration(config.window_minutes)} failed "
        f"({percent(ratio)}; limit {percent(config.failure_ratio)} over at least "
        f"{config.min_sample})."
    )
    if firing:
        failed_ids = (
            MessageEvent.objects.filter(kind=MessageEvent.Kind.FAILED, occurred_at__gte=since)
            .order_by("-occurred_at")
            .values_list("message_id", flat=True)[:IDS_SHOWN]
        )
        summary += f" Failed messages: {ids(failed_ids)}. {_failed_by_type(since)}"
    return Finding("failure_ratio", firing, summary)


def _failed_by_type(since: datetime) -> str:
    """Which event types the failures are of, worst first: "Failed by event type:
    shipping_update 3 of 3, order_confirmation 1 of 40." (an email of one type broken by a
    template edit shows as that type alone)."""
    rows = (
        MessageEvent.objects.filter(
            kind__in=[MessageEvent.Kind.SENT, MessageEvent.Kind.FAILED], occurred_at__gte=since
        )
        .order_by()
        .values_list("message__event__type_id")
        .annotate(total=Count("id"), failed=Count("id", filter=Q(kind=MessageEvent.Kind.FAILED)))
    )
    failing = sorted(
        ((failed, total, event_type or "no type") for event_type, total, failed in rows if failed),
        key=lambda row: (-row[0] / row[1], -row[0], row[2]),
    )
    parts = [f"{event_type} {failed} of {total}" for failed, total, event_type in failing]
    return f"Failed by event type: {', '.join(parts[:IDS_SHOWN])}."


def check_sender_outage(*, now: datetime, config: AlertSettings) -> Finding:
    """The ESP refuses our credentials (401/403) or the backend is misconfigured."""
    outage = MessageEvent.objects.sender_outage()
    if outage is None:
        return Finding("sender_outage", False, "The ESP accepts our credentials.")
    return Finding(
        "sender_outage",
        True,
        f"The ESP has refused our credentials (or the email backend is misconfigured) for "
        f"{duration(minutes(now - outage.since))}; {outage.waiting} messages are held queued until "
        "the configuration is fixed.",
    )


def check_no_acceptance(*, now: datetime, config: AlertSettings) -> Finding:
    """Events (orders placed) have been waiting M minutes and the ESP accepted nothing since
    they arrived.

    Measured from the oldest event after the last acceptance, not from the last acceptance: a
    quiet night followed by one order a minute ago is not an incident. Ignored events wait for
    nothing.
    """
    last_sent = MessageEvent.objects.filter(kind=MessageEvent.Kind.SENT).aggregate(
        at=Max("occurred_at")
    )["at"]
    floor = now - NO_ACCEPTANCE_LOOKBACK
    waiting = Event.objects.filter(created_at__gte=max(last_sent or floor, floor)).exclude(
        status=Event.Status.IGNORED
    )
    if last_sent is not None:
        waiting = waiting.filter(created_at__gt=last_sent)
    found = waiting.aggregate(oldest=Min("created_at"), count=Count("id"))
    if found["oldest"] is None:
        return Finding("no_acceptance", False, "No order is waiting for an accepted email.")
    waited = now - found["oldest"]
    firing = waited >= timedelta(minutes=config.no_acceptance_minutes)
    shown = waiting.order_by("created_at").values_list("reference", "pk")[:IDS_SHOWN]
    names = [reference or f"#{pk}" for reference, pk in shown]
    return Finding(
        "no_acceptance",
        firing,
        f"No email accepted for {found['count']} orders placed since the last acceptance; the "
        f"oldest waited {duration(minutes(waited))} (limit "
        f"{duration(config.no_acceptance_minutes)}). "
        f"Orders: {', '.join(names)}.",
    )


def check_bounce_ratio(*, now: datetime, config: AlertSettings) -> Finding:
    """Bounced and rejected over delivered, bounced and rejected, from tracking events."""
    since = now - timedelta(minutes=config.bounce_window_minutes)
    tracking = MessageEvent.objects.filter(
        kind=MessageEvent.Kind.TRACKING,
        occurred_at__gte=since,
        esp_event_type__in=["delivered", *BOUNCE_TYPES],
    )
    counts = tracking.aggregate(
        total=Count("id"), bounced=Count("id", filter=Q(esp_event_type__in=BOUNCE_TYPES))
    )
    total, bounced = counts["total"], counts["bounced"]
    ratio = bounced / total if total else 0.0
    firing = total >= config.min_sample and ratio > config.bounce_ratio
    summary = (
        f"{bounced} of {total} tracked deliveries in the last "
        f"{duration(config.bounce_window_minutes)} bounced ({percent(ratio)}; limit "
        f"{percent(config.bounce_ratio)} over at least {config.min_sample})."
    )
    if firing:
        bounced_ids = (
            tracking.filter(esp_event_type__in=BOUNCE_TYPES)
            .order_by("-occurred_at")
            .values_list("message_id", flat=True)[:IDS_SHOWN]
        )
        summary += f" Bounced messages: {ids(bounced_ids)}."
    return Finding("bounce_ratio", firing, summary)


def check_relay(*, now: datetime, config: AlertSettings) -> Finding:
    """The relay (beat, or cron's relay_messages) missed K intervals in a row."""
    if config.tasks_in_process:
        return Finding("relay", False, "No broker: tasks run in-process, no relay needed.")
    limit = timedelta(seconds=config.relay_missed_runs * config.relay_interval_seconds)
    heartbeat = last_relay_run()
    if heartbeat is None:
        return Finding("relay", True, "The relay has never run (start beat, or cron).")
    late = now - heartbeat.last_run_at
    return Finding(
        "relay",
        late > limit,
        f"The relay last ran at {heartbeat.last_run_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC, "
        f"{ago(late)} ago ({heartbeat.runs} runs recorded; limit "
        f"{config.relay_missed_runs} intervals of {config.relay_interval_seconds:.0f} s).",
    )


RULES = [
    Rule("queue_age", "Oldest queued message", check_queue_age),
    Rule("failure_ratio", "Failure ratio", check_failure_ratio),
    Rule("sender_outage", "ESP refuses our credentials", check_sender_outage),
    Rule("no_acceptance", "Orders without an accepted email", check_no_acceptance),
    Rule("bounce_ratio", "Bounce ratio", check_bounce_ratio),
    Rule("relay", "Relay stopped", check_relay),
]
TITLES = {rule.name: rule.title for rule in RULES}


def evaluate(*, now: datetime, config: AlertSettings) -> list[Finding]:
    """Every rule's finding, in the order of `RULES`."""
    return [rule.check(now=now, config=config) for rule in RULES]
