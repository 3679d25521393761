"""The dashboard's numbers: bounded aggregates over the outbox and its history.

Every query is limited to a window on an indexed column (`Message.created_at`, the history's
(kind, occurred_at) index, `Message.status`), so the page costs the same with a million rows
as with a thousand older ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Func, Min, Q, Sum
from django.db.models.functions import TruncHour
from django.urls import reverse
from django.utils import timezone

from messaging.models import Event, Message, MessageEvent

STATUSES = list(Message.Status)
WINDOWS = [
    ("24 h", timedelta(days=1)),
    ("7 days", timedelta(days=7)),
    ("30 days", timedelta(days=30)),
]
FAILURE_DAYS = 7
EVENT_TYPE_DAYS = 7
EVENT_STATUSES = list(Event.Status)
TRACKING_TYPES = ("delivered", "bounced", "rejected", "complained")


@dataclass(frozen=True)
class HourLatency:
    hour: datetime
    count: int
    p50: float | None  # seconds
    p95: float | None


@dataclass(frozen=True)
class QueueNow:
    queued: int
    sending: int
    oldest_queued_at: datetime | None
    retries_waiting: int
    retries_due: int
    attempts: int  # attempts the queued and sending messages already used

    def oldest_age(self, now: datetime) -> timedelta | None:
        return now - self.oldest_queued_at if self.oldest_queued_at else None


def status_counts(*, now: datetime) -> dict[str, dict[str, int]]:
    """Messages created in each window, per status: one scan of the last 30 days."""
    aggregates = {
        # Counting a column the (created_at, status) index would hold, not the id: lets
        # PostgreSQL answer from such an index alone, should one be added.
        f"w{index}": Count("status", filter=Q(created_at__gte=now - span))
        for index, (_, span) in enumerate(WINDOWS)
    }
    rows = (
        Message.objects.filter(created_at__gte=now - WINDOWS[-1][1])
        .order_by()
        .values("status")
        .annotate(**aggregates)
    )
    counts = {label: dict.fromkeys(STATUSES, 0) for label, _ in WINDOWS}
    for row in rows:
        for index, (label, _) in enumerate(WINDOWS):
            counts[label][row["status"]] = row[f"w{index}"]
    return counts


def hours_of_day(now: datetime) -> list[datetime]:
    """The 24 hour buckets ending with the current one, in the site's time zone."""
    current = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    return [current - timedelta(hours=back) for back in range(23, -1, -1)]


def hourly_status(*, now: datetime) -> list[tuple[datetime, dict[str, int]]]:
    """Messages created per hour and status over the last 24 hours."""
    hours = hours_of_day(now)
    rows = (
        Message.objects.filter(created_at__gte=hours[0])
        .annotate(hour=TruncHour("created_at"))
        .order_by()
        .values("hour", "status")
        .annotate(n=Count("id"))
    )
    table = {hour: dict.fromkeys(STATUSES, 0) for hour in hours}
    for row in rows:
        hour = timezone.localtime(row["hour"])
        if hour in table:
            table[hour][row["status"]] = row["n"]
    return list(table.items())


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of sorted `values` (None for none)."""
    if not values:
        return None
    return values[max(0, math.ceil(fraction * len(values)) - 1)]


class Percentile(Aggregate):
    """PostgreSQL's nearest-rank percentile (`percentile_disc`), the same rule as
    `percentile()` below, computed where the rows are instead of shipping them to Python."""

    function = "PERCENTILE_DISC"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, *, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


# The latency chart looks at messages created at most this long before their acceptance: it
# bounds both sides of the order join to indexed date ranges. A message held longer (a week-long
# sender outage) is left out of the chart, not of the counts.
LATENCY_LOOKBACK = timedelta(days=7)


def accepted_first_messages(*, since: datetime):
    """First messages of events accepted by the ESP since `since` (a resend or a proof would
    measure a staff decision, not the pipeline), annotated with `lag`: seconds from the event's
    arrival (an order placed) to accepted by the ESP.

    Both tables are reached through their `created_at` index: without those bounds
    PostgreSQL scans the whole outbox to find a day's acceptances (measured: 350 ms over a
    million messages, against a few tens of milliseconds).
    """
    oldest = since - LATENCY_LOOKBACK
    return (
        Message.objects.filter(
            created_at__gte=oldest,
            event__created_at__gte=oldest,
            sent_at__gte=since,
            is_proof=False,
            resend_of__isnull=True,
        )
        .order_by()
        .annotate(lag=Epoch(F("sent_at") - F("event__created_at")))
    )


class Epoch(Func):
    """Seconds in a duration (PostgreSQL interval; SQLite stores durations as microseconds)."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)")

    def as_sql(self, compiler, connection, **extra):
        extra.setdefault("template", "(%(expressions)s / 1000000.0)")
        return super().as_sql(compiler, connection, **extra)


def latency_percentiles(*, since: datetime) -> tuple[int, float | None, float | None]:
    """(count, p50, p95) of order placed → accepted since `since`."""
    rows = accepted_first_messages(since=since)
    if connection.vendor == "postgresql":
        found = rows.aggregate(
            n=Count("id"),
            p50=Percentile("lag", fraction=0.5),
            p95=Percentile("lag", fraction=0.95),
        )
        return found["n"], found["p50"], found["p95"]
    values = sorted(rows.values_list("lag", flat=True))
    return len(values), percentile(values, 0.5), percentile(values, 0.95)


def acceptance_latency(*, now: datetime) -> list[HourLatency]:
    """Per hour of the last 24 h: p50 and p95 of order placed → accepted by the ESP.

    On PostgreSQL the percentiles are computed by the database (24 rows come back); elsewhere
    (SQLite, development) the durations are sorted here.
    """
    hours = hours_of_day(now)
    rows = accepted_first_messages(since=hours[0]).annotate(hour=TruncHour("sent_at"))
    per_hour: dict[datetime, HourLatency] = {}
    if connection.vendor == "postgresql":
        for row in rows.values("hour").annotate(
            n=Count("id"),
            p50=Percentile("lag", fraction=0.5),
            p95=Percentile("lag", fraction=0.95),
        ):
            hour = timezone.localtime(row["hour"])
            per_hour[hour] = HourLatency(hour, row["n"], row["p50"], row["p95"])
    else:
        values: dict[datetime, list[float]] = {}
        for hour, lag in rows.values_list("hour", "lag"):
            values.setdefault(timezone.localtime(hour), []).append(lag)
        for hour, lags in values.items():
            lags.sort()
            per_hour[hour] = HourLatency(
                hour, len(lags), percentile(lags, 0.5), percentile(lags, 0.95)
            )
    return [per_hour.get(hour) or HourLatency(hour, 0, None, None) for hour in hours]


def failure_reasons(*, now: datetime, limit: int = 15) -> list[dict]:
    """Failed messages of the last week grouped by reason, with a link to exactly those."""
    since = now - timedelta(days=FAILURE_DAYS)
    rows = (
        Message.objects.filter(status=Message.Status.FAILED, created_at__gte=since)
        .order_by()
        .values("last_error")
        .annotate(n=Count("id"))
        .order_by("-n", "last_error")[:limit]
    )
    changelist = reverse("admin:messaging_message_changelist")
    return [
        {
            "reason": row["last_error"] or "(no reason recorded)",
            "count": row["n"],
            "url": changelist
            + "?"
            + urlencode(
                {
                    "status__exact": Message.Status.FAILED,
                    "last_error": row["last_error"],
                    "created_at__gte": since.isoformat(),
                }
            ),
        }
        for row in rows
    ]


def queue_now(*, now: datetime) -> QueueNow:
    """What waits right now: one aggregate over the unfinished statuses (indexed)."""
    queued = Q(status=Message.Status.QUEUED)
    retry = queued & Q(attempts__gt=0)
    row = Message.objects.filter(
        status__in=[Message.Status.QUEUED, Message.Status.SENDING]
    ).aggregate(
        queued=Count("id", filter=queued),
        sending=Count("id", filter=Q(status=Message.Status.SENDING)),
        oldest=Min("created_at", filter=queued),
        retries_waiting=Count("id", filter=retry),
        retries_due=Count("id", filter=retry & Q(next_attempt_at__lte=now)),
        attempts=Sum("attempts"),
    )
    return QueueNow(
        queued=row["queued"],
        sending=row["sending"],
        oldest_queued_at=row["oldest"],
        retries_waiting=row["retries_waiting"],
        retries_due=row["retries_due"],
        attempts=row["attempts"] or 0,
    )


def tracking_counts(*, now: datetime) -> dict[str, dict[str, int]]:
    """Delivered, bounced, rejected and complained tracking events over 24 h and 7 days."""
    day, week = now - timedelta(days=1), now - timedelta(days=7)
    rows = (
        MessageEvent.objects.filter(
            kind=MessageEvent.Kind.TRACKING,
            occurred_at__gte=week,
            esp_event_type__in=TRACKING_TYPES,
        )
        .order_by()
        .values("esp_event_type")
        .annotate(
            day=Count("esp_event_type", filter=Q(occurred_at__gte=day)),
            week=Count("esp_event_type"),
        )
    )
    counts = {kind: {"day": 0, "week": 0} for kind in TRACKING_TYPES}
    for row in rows:
        counts[row["esp_event_type"]] = {"day": row["day"], "week": row["week"]}
    return counts


@dataclass(frozen=True)
class TypeCounts:
    type: str
    total: int
    statuses: list[tuple[str, int]]  # (status label, events), in `Event.Status` order


def event_type_counts(*, now: datetime) -> list[TypeCounts]:
    """Events that arrived in the last `EVENT_TYPE_DAYS` days, per type and status (each
    event's status follows its latest email): one grouped count on the created_at index."""
    rows = (
        Event.objects.filter(created_at__gte=now - timedelta(days=EVENT_TYPE_DAYS))
        .order_by()
        .values_list("type_id", "status")
        .annotate(n=Count("id"))
    )
    table: dict[str, dict[str, int]] = {}
    for event_type, status, n in rows:
        table.setdefault(event_type, {})[status] = n
    return [
        TypeCounts(
            type=event_type,
            total=sum(counts.values()),
            statuses=[(status.label, counts.get(status, 0)) for status in EVENT_STATUSES],
        )
        for event_type, counts in sorted(table.items())
    ]
