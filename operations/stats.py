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

from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import TruncHour
from django.urls import reverse
from django.utils import timezone

from messaging.models import Message, MessageEvent

STATUSES = list(Message.Status)
WINDOWS = [
    ("24 h", timedelta(days=1)),
    ("7 days", timedelta(days=7)),
    ("30 days", timedelta(days=30)),
]
FAILURE_DAYS = 7
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
        f"w{index}": Count("id", filter=Q(created_at__gte=now - span))
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


def accepted_latencies(*, since: datetime) -> dict[int, tuple[datetime, float]]:
    """Message id → (accepted at, seconds from order placed to accepted by the ESP), for the
    first messages of real orders accepted since `since` (a resend or a proof would measure a
    staff decision, not the pipeline). Found through the history's indexed "accepted" lines;
    one value per message, however many such lines it has."""
    rows = (
        MessageEvent.objects.filter(
            kind=MessageEvent.Kind.SENT,
            occurred_at__gte=since,
            message__is_proof=False,
            message__resend_of__isnull=True,
            message__order__isnull=False,
            message__sent_at__isnull=False,
        )
        .order_by()
        .values_list("message_id", "message__sent_at", "message__order__created_at")
    )
    return {
        message_id: (sent_at, (sent_at - ordered_at).total_seconds())
        for message_id, sent_at, ordered_at in rows.iterator(chunk_size=5000)
    }


def acceptance_latency(*, now: datetime) -> list[HourLatency]:
    """Per hour of the last 24 h: p50 and p95 of order placed → accepted by the ESP."""
    hours = hours_of_day(now)
    per_hour: dict[datetime, list[float]] = {hour: [] for hour in hours}
    for sent_at, seconds in accepted_latencies(since=hours[0]).values():
        hour = timezone.localtime(sent_at).replace(minute=0, second=0, microsecond=0)
        if hour in per_hour:
            per_hour[hour].append(seconds)
    result = []
    for hour, values in per_hour.items():
        values.sort()
        result.append(
            HourLatency(hour, len(values), percentile(values, 0.5), percentile(values, 0.95))
        )
    return result


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
        .annotate(day=Count("id", filter=Q(occurred_at__gte=day)), week=Count("id"))
    )
    counts = {kind: {"day": 0, "week": 0} for kind in TRACKING_TYPES}
    for row in rows:
        counts[row["esp_event_type"]] = {"day": row["day"], "week": row["week"]}
    return counts
