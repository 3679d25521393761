"""Server-rendered SVG charts: no script, no library, nothing fetched — the page's CSP allows
neither inline scripts nor other origins, and a chart is a handful of rectangles anyway.

Every value is escaped (format_html); each chart is an accessible image with a title, and
every number it draws is also printed as text.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

STATUS_COLOURS = {
    "queued": "#6c757d",
    "sending": "#0d6efd",
    "sent": "#20c997",
    "delivered": "#198754",
    "bounced": "#fd7e14",
    "failed": "#dc3545",
}
P50_COLOUR, P95_COLOUR = "#0d6efd", "#9ec5fe"
TEXT = 'font-family="sans-serif" font-size="11" fill="currentColor"'


def _svg(*, name: str, title: str, width: int, height: int, body: str) -> SafeString:
    return format_html(
        '<svg class="ops-chart" data-chart="{}" role="img" viewBox="0 0 {} {}" width="{}" '
        'height="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        name,
        width,
        height,
        width,
        height,
        title,
        mark_safe(body),  # noqa: S308 - built from format_html parts below
    )


def status_bars(*, name: str, title: str, counts: dict[str, int]) -> SafeString:
    """One horizontal bar per status, its count printed after it."""
    label_width, bar_width, row = 80, 220, 22
    top = max(counts.values(), default=0) or 1
    rows = []
    for index, (status, count) in enumerate(counts.items()):
        y = index * row
        rows.append(
            format_html(
                '<text x="0" y="{}" {}>{}</text>'
                '<rect data-status="{}" x="{}" y="{}" width="{}" height="14" fill="{}"/>'
                '<text class="ops-value" x="{}" y="{}" {}>{}</text>',
                y + 12,
                mark_safe(TEXT),  # noqa: S308 - a constant
                status,
                status,
                label_width,
                y + 1,
                round(bar_width * count / top, 1),
                STATUS_COLOURS.get(status, "#999"),
                label_width + round(bar_width * count / top, 1) + 4,
                y + 12,
                mark_safe(TEXT),  # noqa: S308 - a constant
                count,
            )
        )
    return _svg(
        name=name,
        title=title,
        width=label_width + bar_width + 60,
        height=row * len(counts),
        body="".join(rows),
    )


def stacked_hours(*, hourly: list[tuple[datetime, dict[str, int]]]) -> SafeString:
    """Messages created per hour (24 columns), stacked by status."""
    left, width, height, bottom = 40, 24 * 22, 150, 20
    column = width / max(len(hourly), 1)
    top = max((sum(counts.values()) for _, counts in hourly), default=0) or 1
    parts = [_y_axis(left=left, height=height, top=str(top))]
    for index, (hour, counts) in enumerate(hourly):
        x = left + index * column
        base = height
        for status, count in counts.items():
            if not count:
                continue
            bar = height * count / top
            base -= bar
            parts.append(
                format_html(
                    '<rect data-status="{}" x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}:00 {}: {}</title></rect>",
                    status,
                    round(x + 2, 1),
                    round(base, 1),
                    round(column - 4, 1),
                    round(bar, 1),
                    STATUS_COLOURS.get(status, "#999"),
                    f"{hour:%H}",
                    status,
                    count,
                )
            )
        if index % 3 == 0:
            parts.append(_x_label(x=x, y=height + 14, text=f"{hour:%H}"))
    return _svg(
        name="hourly-status",
        title="Messages created per hour over the last 24 hours, by status",
        width=left + width,
        height=height + bottom,
        body="".join(parts),
    )


def latency_columns(*, latencies: list) -> SafeString:
    """Per hour, p95 (light) behind p50 (dark), order placed → accepted by the ESP."""
    left, width, height, bottom = 40, 24 * 22, 150, 20
    column = width / max(len(latencies), 1)
    top = max((h.p95 or 0 for h in latencies), default=0) or 1
    parts = [_y_axis(left=left, height=height, top=seconds(top))]
    for index, hour in enumerate(latencies):
        x = left + index * column
        for key, colour, inset in (("p95", P95_COLOUR, 2), ("p50", P50_COLOUR, 6)):
            value = getattr(hour, key)
            if value is None:
                continue
            bar = height * value / top
            parts.append(
                format_html(
                    '<rect data-series="{}" x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}:00 {} {} ({} emails)</title></rect>",
                    key,
                    round(x + inset, 1),
                    round(height - bar, 1),
                    round(column - 2 * inset, 1),
                    round(bar, 1),
                    colour,
                    f"{hour.hour:%H}",
                    key,
                    seconds(value),
                    hour.count,
                )
            )
        if index % 3 == 0:
            parts.append(_x_label(x=x, y=height + 14, text=f"{hour.hour:%H}"))
    return _svg(
        name="latency",
        title="Order placed to accepted by the ESP, p50 and p95 per hour, last 24 hours",
        width=left + width,
        height=height + bottom,
        body="".join(parts),
    )


def seconds(value: float) -> str:
    """A duration for people: 850 ms, 4.2 s, 12 min."""
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 120:
        return f"{value:.1f} s"
    return f"{value / 60:.0f} min"


def _y_axis(*, left: int, height: int, top: str) -> SafeString:
    return format_html(
        '<line x1="{}" y1="0" x2="{}" y2="{}" stroke="#ccc"/>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#ccc"/>'
        '<text x="0" y="10" {}>{}</text><text x="0" y="{}" {}>0</text>',
        left,
        left,
        height,
        left,
        height,
        left + 24 * 22,
        height,
        mark_safe(TEXT),  # noqa: S308 - a constant
        top,
        height,
        mark_safe(TEXT),  # noqa: S308 - a constant
    )


def _x_label(*, x: float, y: int, text: str) -> SafeString:
    return format_html(
        '<text x="{}" y="{}" {}>{}</text>',
        round(x + 2, 1),
        y,
        mark_safe(TEXT),  # noqa: S308 - a constant
        text,
    )


def legend(statuses) -> SafeString:
    """Colour keys as HTML (inline style attributes are allowed by the CSP)."""
    return format_html_join(
        " ",
        '<span class="ops-key"><span class="ops-swatch" style="background:{}"></span>{}</span>',
        ((STATUS_COLOURS.get(s, "#999"), s) for s in statuses),
    )
