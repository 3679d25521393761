"""Prometheus metrics computed from the database at scrape time.

A custom collector rather than counters incremented in-process: web processes and workers are
many and short-lived, and only the database sees every message — so every scrape of any web
process gives the same, correct numbers without prometheus-client's multiprocess mode.

The ESP request and PDF build histograms count every timed history line ever written (workers
store each duration on the attempt's lines, `MessageEvent.duration`), never a sliding window: a
window would go down as well as up, which Prometheus' rate() reads as counter resets. History
lines are never deleted (retention blanks their details only), so the counts only grow. The
acceptance latency of the last hour, a statistic of a window, is exported as p50/p95 gauges.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily

from messaging.models import Message, MessageEvent

from . import stats
from .heartbeat import last_relay_run
from .models import AlertState
from .rules import RULES

# Failure reasons (messaging's wording) → a small, stable set of label values.
FAILURE_CLASSES = [
    ("Template error", "template"),
    ("Attachment error", "attachment"),
    ("the recipient", "recipient_refused"),
    ("Not sent: this address already received", "daily_limit"),
    ("Not sent: the recipient's data was erased", "erased"),
    ("Gave up after", "gave_up"),
    ("worker stopped", "worker_lost"),
    ("API responded", "esp_refused"),
]


# Upper bounds in seconds (Prometheus' `le`). An ESP answers in tens to hundreds of ms; the
# last bound is Anymail's default request timeout, so a hung ESP shows in +Inf. A 5-line
# document builds in ~0.13 s, a 200-line one in ~1.5 s, a fresh worker's first in up to 0.8 s.
ESP_REQUEST_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
PDF_BUILD_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# name, help, the history lines that carry the duration, buckets
HISTOGRAMS = (
    (
        "sealpost_esp_request_seconds",
        "Time the ESP took to answer one delivery attempt's send (answered or not).",
        MessageEvent.Kind.CLAIMED,
        ESP_REQUEST_BUCKETS,
    ),
    (
        "sealpost_pdf_build_seconds",
        "Time to build one encrypted PDF attachment (render, draw, encrypt, prove).",
        MessageEvent.Kind.ATTACHMENT_BUILT,
        PDF_BUILD_BUCKETS,
    ),
)


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
        yield from self._queue(now)
        yield self._failures()
        yield from self._latency(now)
        yield from self._durations()
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

    def _failures(self):
        failures = GaugeMetricFamily(
            "sealpost_failed_messages",
            "Failed messages by reason class.",
            labels=["reason_class"],
        )
        totals = dict.fromkeys([label for _, label in FAILURE_CLASSES] + ["other"], 0)
        rows = (
            Message.objects.filter(status=Message.Status.FAILED)
            .order_by()
            .values_list("last_error")
            .annotate(n=Count("id"))
        )
        for reason, count in rows:
            totals[failure_class(reason)] += count
        for label, count in totals.items():
            failures.add_metric([label], count)
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

    def _durations(self):
        """Both histograms from one aggregate over the timed history lines (a partial index on
        kind and duration holds them all): a count per bucket, the total count and the sum."""
        aggregates = {}
        for name, _, kind, buckets in HISTOGRAMS:
            timed = Q(kind=kind)
            for index, bound in enumerate(buckets):
                within = timed & Q(duration__lte=bound)
                aggregates[f"{name}_{index}"] = Count("duration", filter=within)
            aggregates[f"{name}_count"] = Count("duration", filter=timed)
            aggregates[f"{name}_sum"] = Sum("duration", filter=timed)
        row = (
            MessageEvent.objects.order_by()
            .filter(kind__in=[kind for _, _, kind, _ in HISTOGRAMS], duration__isnull=False)
            .aggregate(**aggregates)
        )
        for name, documentation, _, buckets in HISTOGRAMS:
            # Each bucket counts every duration up to its bound: cumulative, as Prometheus reads.
            counts = [(str(bound), row[f"{name}_{i}"]) for i, bound in enumerate(buckets)]
            counts.append(("+Inf", row[f"{name}_count"]))
            yield HistogramMetricFamily(
                name, documentation, buckets=counts, sum_value=row[f"{name}_sum"] or 0.0
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
