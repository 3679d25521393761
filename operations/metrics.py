"""Prometheus metrics computed from the database at scrape time.

A custom collector rather than counters incremented in-process: web processes and workers are
many and short-lived, and only the database sees every message — so every scrape of any web
process gives the same, correct numbers without prometheus-client's multiprocess mode.

The ESP request and PDF build histograms count every timed history line ever written, never a
sliding window (`durations.py` says how, at a cost that does not grow with the history). The
acceptance latency of the last hour, a statistic of a window, is exported as p50/p95 gauges.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily

from messaging.models import Event, Message, MessageEvent

from . import durations, stats
from .heartbeat import last_relay_run
from .models import AlertState
from .rules import RULES

# Failure reasons (messaging's wording) → a small, stable set of label values.
FAILURE_CLASSES = [
    ("Template error", "template"),
    ("Attachment error", "attachment"),
    # Before "the recipient", which its wording contains too.
    ("Not sent: the recipient's data was erased", "erased"),
    ("the recipient", "recipient_refused"),
    ("Not sent: this address already received", "daily_limit"),
    ("Gave up after", "gave_up"),
    ("worker stopped", "worker_lost"),
    ("API responded", "esp_refused"),
]


# The type label of a message without an event (none is written so today).
NO_TYPE = "none"


def failure_class(reason: str) -> str:
    for fragment, label in FAILURE_CLASSES:
        if fragment in reason:
            return label
    return "other"


class DeliveryCollector:
    """Yields the outbox's gauges; each scrape runs a handful of aggregate queries."""

    def collect(self):
        now = timezone.now()
        yield from self._statuses()
        event_counts = self._event_counts()
        yield self._events(event_counts)
        yield from self._queue(now)
        yield self._failures(types={event_type for event_type, _ in event_counts})
        yield from self._latency(now)
        yield from self._durations(now)
        yield from self._alerts()

    def _statuses(self):
        messages = GaugeMetricFamily(
            "sealpost_messages", "Messages in the outbox, by status.", labels=["status"]
        )
        # Counted from the status index alone: no other column is read for the whole table.
        counts = dict(Message.objects.order_by().values_list("status").annotate(n=Count("status")))
        for status in Message.Status:
            messages.add_metric([status], counts.get(status, 0))
        return [messages]

    @staticmethod
    def _event_counts() -> dict[tuple[str, str], int]:
        """{(type, status): events}: one grouped count over the events."""
        rows = Event.objects.order_by().values_list("type_id", "status").annotate(n=Count("id"))
        return {(event_type, status): n for event_type, status, n in rows}

    def _events(self, counts):
        events = GaugeMetricFamily(
            "sealpost_events",
            "Events by type and status (an event's status follows its latest email).",
            labels=["type", "status"],
        )
        for event_type in sorted({event_type for event_type, _ in counts}):
            for status in Event.Status:
                events.add_metric([event_type, status], counts.get((event_type, status), 0))
        return events

    def _queue(self, now):
        queue = stats.queue_now(now=now)
        age = queue.oldest_age(now)
        outage = MessageEvent.objects.sender_outage()
        heartbeat = last_relay_run()
        return [
            GaugeMetricFamily("sealpost_queue_depth", "Queued messages.", value=queue.queued),
            GaugeMetricFamily(
                "sealpost_messages_sending", "Messages a worker holds now.", value=queue.sending
            ),
            GaugeMetricFamily(
                "sealpost_oldest_queued_age_seconds",
                "Age of the oldest queued message (0: none queued).",
                value=age.total_seconds() if age else 0,
            ),
            GaugeMetricFamily(
                "sealpost_unfinished_attempts",
                "Delivery attempts already made by the queued and sending messages.",
                value=queue.attempts,
            ),
            GaugeMetricFamily(
                "sealpost_retries_due",
                "Queued messages with a failed attempt behind them, due now.",
                value=queue.retries_due,
            ),
            GaugeMetricFamily(
                "sealpost_sender_outage",
                "1 while the ESP refuses our credentials (messages held queued).",
                value=1 if outage else 0,
            ),
            GaugeMetricFamily(
                "sealpost_relay_last_run_timestamp_seconds",
                "When the relay last ran (Unix time; 0: never recorded).",
                value=heartbeat.last_run_at.timestamp() if heartbeat else 0,
            ),
        ]

    def _failures(self, *, types: set[str]):
        failures = GaugeMetricFamily(
            "sealpost_failed_messages",
            "Failed messages by reason class and event type.",
            labels=["reason_class", "type"],
        )
        classes = [label for _, label in FAILURE_CLASSES] + ["other"]
        totals: dict[tuple[str, str], int] = {}
        rows = (
            Message.objects.filter(status=Message.Status.FAILED)
            .order_by()
            .values_list("last_error", "event__type_id")
            .annotate(n=Count("id"))
        )
        for reason, event_type, count in rows:
            key = (failure_class(reason), event_type or NO_TYPE)
            totals[key] = totals.get(key, 0) + count
        for event_type in sorted(types | {event_type for _, event_type in totals}):
            for label in classes:
                failures.add_metric([label, event_type], totals.get((label, event_type), 0))
        return failures

    def _latency(self, now):
        latency = GaugeMetricFamily(
            "sealpost_acceptance_latency_seconds",
            "Order placed to accepted by the ESP over the last hour (first messages of orders).",
            labels=["percentile"],
        )
        _, p50, p95 = stats.latency_percentiles(since=now - timedelta(hours=1))
        for name, value in (("50", p50), ("95", p95)):
            if value is not None:
                latency.add_metric([name], value)
        return [latency]

    def _durations(self, now):
        tallies = durations.histograms(now=now)
        for histogram in durations.HISTOGRAMS:
            tally = tallies[histogram.name]
            buckets = [
                (str(bound), count)
                for bound, count in zip(histogram.bounds, tally.buckets, strict=True)
            ]
            buckets.append(("+Inf", tally.count))
            yield HistogramMetricFamily(
                histogram.name, histogram.documentation, buckets=buckets, sum_value=tally.sum
            )

    def _alerts(self):
        firing = GaugeMetricFamily(
            "sealpost_alert_firing", "1 while an alert rule fires (last check).", labels=["rule"]
        )
        states = dict(AlertState.objects.values_list("rule", "firing"))
        for rule in RULES:
            firing.add_metric([rule.name], 1 if states.get(rule.name) else 0)
        return [firing]


# Our own registry: the scrape shows the outbox, not this one process' Python internals.
REGISTRY = CollectorRegistry(auto_describe=False)
REGISTRY.register(DeliveryCollector())
