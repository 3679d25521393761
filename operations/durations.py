"""The ESP request and PDF build histograms of `/metrics`, from the message history.

Workers store how long each step took on the attempt's history lines (`MessageEvent.duration`:
the ESP request on *Attempt started*, each PDF build on *Attachment built*). A histogram is a
set of counters, so it must count every line ever written, not a window (a window goes down as
well as up, which Prometheus' rate() reads as resets); history lines are never deleted
(retention blanks their details only), so the counts only grow.

Counting all of them at each scrape would grow with the history, so a scrape folds the lines
older than `FOLD_AFTER` into one `DurationRollup` row (under a row lock: concurrent scrapes
fold once) and counts, in one aggregate, only the lines after the row's `through`. A line is
written in its attempt's short outcome transaction a moment after its `created_at`; one that
committed more than `FOLD_AFTER` later would never be counted, which the margin makes moot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum

from messaging.models import MessageEvent

from .models import DurationRollup

# Upper bounds in seconds (Prometheus' `le`). An ESP answers in tens to hundreds of ms; the
# last bound is Anymail's default request timeout, so a hung ESP shows in +Inf. A 5-line
# document builds in ~0.13 s, a 200-line one in ~1.5 s, a fresh worker's first in up to 0.8 s.
ESP_REQUEST_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
PDF_BUILD_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# Lines older than this are folded into the rollup; a scrape folds at most once a minute.
FOLD_AFTER = timedelta(minutes=10)
FOLD_EVERY = timedelta(minutes=1)
ROLLUP_PK = 1
BEGINNING = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Histogram:
    name: str
    documentation: str
    kind: str  # the history lines that carry its durations
    bounds: tuple[float, ...]


HISTOGRAMS = (
    Histogram(
        "sealpost_esp_request_seconds",
        "Time the ESP took to answer one delivery attempt's send (answered or not).",
        MessageEvent.Kind.CLAIMED,
        ESP_REQUEST_BUCKETS,
    ),
    Histogram(
        "sealpost_pdf_build_seconds",
        "Time to build one encrypted PDF attachment (render, draw, encrypt, prove).",
        MessageEvent.Kind.ATTACHMENT_BUILT,
        PDF_BUILD_BUCKETS,
    ),
)


@dataclass(frozen=True)
class Tally:
    """A histogram's counts: per bound (cumulative: every duration up to it), all, and sum."""

    buckets: tuple[int, ...]
    count: int
    sum: float

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            buckets=tuple(a + b for a, b in zip(self.buckets, other.buckets, strict=True)),
            count=self.count + other.count,
            sum=self.sum + other.sum,
        )


def histograms(*, now: datetime) -> dict[str, Tally]:
    """Every timed history line counted, per histogram: the rollup plus the lines after it."""
    rollup = _fold(until=now - FOLD_AFTER)
    recent = count_lines(_timed_lines().filter(created_at__gt=rollup.through))
    return {
        histogram.name: _stored(rollup, histogram) + recent[histogram.name]
        for histogram in HISTOGRAMS
    }


def count_lines(lines: QuerySet) -> dict[str, Tally]:
    """Both histograms' tallies of `lines` in one aggregate: a count per bucket, count, sum."""
    aggregates = {}
    for index, histogram in enumerate(HISTOGRAMS):
        timed = Q(kind=histogram.kind)
        for bucket, bound in enumerate(histogram.bounds):
            within = timed & Q(duration__lte=bound)
            aggregates[f"h{index}_{bucket}"] = Count("duration", filter=within)
        aggregates[f"h{index}_count"] = Count("duration", filter=timed)
        aggregates[f"h{index}_sum"] = Sum("duration", filter=timed)
    row = lines.aggregate(**aggregates)
    return {
        histogram.name: Tally(
            buckets=tuple(row[f"h{index}_{b}"] for b in range(len(histogram.bounds))),
            count=row[f"h{index}_count"],
            sum=row[f"h{index}_sum"] or 0.0,
        )
        for index, histogram in enumerate(HISTOGRAMS)
    }


def _timed_lines() -> QuerySet:
    # Matches the partial index on (created_at, kind, duration): read from the index alone.
    return MessageEvent.objects.order_by().filter(
        kind__in=[histogram.kind for histogram in HISTOGRAMS], duration__isnull=False
    )


def _stored(rollup: DurationRollup, histogram: Histogram) -> Tally:
    stored = rollup.tallies.get(histogram.name)
    if stored is None:
        return Tally(buckets=(0,) * len(histogram.bounds), count=0, sum=0.0)
    return Tally(buckets=tuple(stored["buckets"]), count=stored["count"], sum=stored["sum"])


def _fold(*, until: datetime) -> DurationRollup:
    """The rollup, first brought up to `until` unless another scrape is doing so right now."""
    DurationRollup.objects.get_or_create(
        pk=ROLLUP_PK, defaults={"through": BEGINNING, "tallies": {}}
    )
    with transaction.atomic():
        rollup = (
            DurationRollup.objects.select_for_update(skip_locked=True).filter(pk=ROLLUP_PK).first()
        )
        if rollup is None:  # another scrape holds it: read what it last committed
            return DurationRollup.objects.get(pk=ROLLUP_PK)
        if _bounds_changed(rollup):
            # New buckets in this release: count the whole history again, once.
            rollup.through, rollup.tallies = BEGINNING, {}
        elif until - rollup.through < FOLD_EVERY:
            return rollup
        lines = _timed_lines().filter(created_at__gt=rollup.through, created_at__lte=until)
        folded = count_lines(lines)
        rollup.tallies = {
            histogram.name: _as_json(histogram, _stored(rollup, histogram) + folded[histogram.name])
            for histogram in HISTOGRAMS
        }
        rollup.through = until
        rollup.save(update_fields=["through", "tallies"])
    return rollup


def _bounds_changed(rollup: DurationRollup) -> bool:
    return any(
        rollup.tallies.get(histogram.name, {}).get("bounds", list(histogram.bounds))
        != list(histogram.bounds)
        for histogram in HISTOGRAMS
    )


def _as_json(histogram: Histogram, tally: Tally) -> dict:
    return {
        "bounds": list(histogram.bounds),
        "buckets": list(tally.buckets),
        "count": tally.count,
        "sum": tally.sum,
    }
