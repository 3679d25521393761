"""The delivery health page (admin), `/metrics` (Prometheus) and `/healthz` (probes)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_safe
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from messaging.models import MessageEvent

from . import alerting, charts, health, stats
from .metrics import REGISTRY
from .models import AlertEvent, AlertState
from .rules import TITLES

RECENT_ALERT_EVENTS = 20


@require_GET
def delivery_health(request: HttpRequest) -> TemplateResponse:
    """The dashboard. Reached through `admin_view` (staff login); needs the message-view
    permission, like the messages list it summarises and links to."""
    if not request.user.has_perm("messaging.view_message"):
        raise PermissionDenied
    now = timezone.now()
    counts = stats.status_counts(now=now)
    queue = stats.queue_now(now=now)
    latencies = stats.acceptance_latency(now=now)
    context = {
        **admin.site.each_context(request),
        "title": "Delivery health",
        "now": now,
        "windows": [
            (
                label,
                sum(row.values()),
                charts.status_bars(name=f"status-{i}", title=label, counts=row),
            )
            for i, (label, row) in enumerate(counts.items())
        ],
        "legend": charts.legend(stats.STATUSES),
        "hourly_chart": charts.stacked_hours(hourly=stats.hourly_status(now=now)),
        "latency_chart": charts.latency_columns(latencies=latencies),
        "latency_rows": [h for h in latencies if h.count],
        "failures": stats.failure_reasons(now=now),
        "event_types": stats.event_type_counts(now=now),
        "event_type_days": stats.EVENT_TYPE_DAYS,
        "event_statuses": [status.label for status in stats.EVENT_STATUSES],
        "failure_days": stats.FAILURE_DAYS,
        "queue": queue,
        "oldest_age": queue.oldest_age(now),
        "tracking": stats.tracking_counts(now=now),
        "outage": MessageEvent.objects.sender_outage(),
        "rules": _rule_rows(now),
        "alert_events": AlertEvent.objects.all()[:RECENT_ALERT_EVENTS],
    }
    return TemplateResponse(request, "operations/dashboard.html", context)


def _rule_rows(now) -> list[dict]:
    """Each rule evaluated now (read-only), with since when the recorded state holds."""
    states = {state.rule: state for state in AlertState.objects.all()}
    rows = []
    for finding in alerting.check_delivery_health(now=now, record=False):
        state = states.get(finding.rule)
        agrees = state is not None and state.firing == finding.firing
        rows.append(
            {
                "rule": finding.rule,
                "title": TITLES[finding.rule],
                "firing": finding.firing,
                "summary": finding.summary,
                "since": state.since if agrees else None,
                "checked_at": state.checked_at if state else None,
            }
        )
    return rows


def _text(body: str, *, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format; 404 unless METRICS_TOKEN is set, 401 without the bearer token."""
    token = settings.METRICS_TOKEN
    if not token:
        return _text("Not found\n", status=404)
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not constant_time_compare(given.strip(), token):
        response = _text("Unauthorized\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)


@csrf_exempt
@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 "ok", or 503 naming the failing checks generically (database, migrations, broker)."""
    failing = health.failing_checks()
    if failing:
        return _text(f"unavailable: {', '.join(failing)}\n", status=503)
    return _text("ok\n")
