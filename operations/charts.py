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


# The hourly charts span their card: positions across are percentages of the drawing's width
# (no viewBox), so the columns stretch with the page while the labels keep the page's text
# size — a scaled viewBox drew 45 % of the card at 1280 px, or 24 px labels when stretched.
PLOT_LEFT = 5.0  # percent: room for the "0" of the value axis
PLOT_TOP = 16  # px: the axis' top value is written above the columns
PLOT_HEIGHT = 150
HOURS_HEIGHT = PLOT_TOP + PLOT_HEIGHT + 20


def _column(index: int, count: int) -> tuple[float, float]:
    """Where hour `index` of `count` starts and how wide it is, in percent of the width."""
    width = (100 - PLOT_LEFT) / max(count, 1)
    return PLOT_LEFT + index * width, width


def _pct(value: float) -> str:
    return f"{round(value, 2)}%"


def stacked_hours(*, hourly: list[tuple[datetime, dict[str, int]]]) -> SafeString:
    """Messages created per hour (24 columns), stacked by status."""
    top = max((sum(counts.values()) for _, counts in hourly), default=0) or 1
    parts = [_y_axis(top=str(top))]
    for index, (hour, counts) in enumerate(hourly):
        x, column = _column(index, len(hourly))
        base = PLOT_TOP + PLOT_HEIGHT
        for status, count in counts.items():
            if not count:
                continue
            bar = PLOT_HEIGHT * count / top
            base -= bar
            parts.append(
                format_html(
                    '<rect data-status="{}" x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}:00 {}: {}</title></rect>",
                    status,
                    _pct(x + column * 0.1),
                    round(base, 1),
                    _pct(column * 0.8),
                    round(bar, 1),
                    STATUS_COLOURS.get(status, "#999"),
                    f"{hour:%H}",
                    status,
                    count,
                )
            )
        if index % 3 == 0:
            parts.append(_x_label(x=x, text=f"{hour:%H}"))
    return _fluid_svg(
        name="hourly-status",
        title="Messages created per hour over the last 24 hours, by status",
        body="".join(parts),
    )


def latency_columns(*, latencies: list) -> SafeString:
    """Per hour, p95 (light) behind p50 (dark), order placed → accepted by the ESP."""
    top = max((h.p95 or 0 for h in latencies), default=0) or 1
    parts = [_y_axis(top=seconds(top))]
    for index, hour in enumerate(latencies):
        x, column = _column(index, len(latencies))
        for key, colour, inset in (("p95", P95_COLOUR, 0.1), ("p50", P50_COLOUR, 0.3)):
            value = getattr(hour, key)
            if value is None:
                continue
            bar = PLOT_HEIGHT * value / top
            parts.append(
                format_html(
                    '<rect data-series="{}" x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}:00 {} {} ({} emails)</title></rect>",
                    key,
                    _pct(x + column * inset),
                    round(PLOT_TOP + PLOT_HEIGHT - bar, 1),
                    _pct(column * (1 - 2 * inset)),
                    round(bar, 1),
                    colour,
                    f"{hour.hour:%H}",
                    key,
                    seconds(value),
                    hour.count,
                )
            )
        if index % 3 == 0:
            parts.append(_x_label(x=x, text=f"{hour.hour:%H}"))
    return _fluid_svg(
        name="latency",
        title="Order placed to accepted by the ESP, p50 and p95 per hour, last 24 hours",
        body="".join(parts),
    )


def seconds(value: float) -> str:
    """A duration for people: 850 ms, 4.2 s, 12 min."""
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 120:
        return f"{value:.1f} s"
    return f"{value / 60:.0f} min"


def _fluid_svg(*, name: str, title: str, body: str) -> SafeString:
    return format_html(
        '<svg class="ops-chart ops-chart-fluid" data-chart="{}" role="img" width="100%" '
        'height="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        name,
        HOURS_HEIGHT,
        title,
        mark_safe(body),  # noqa: S308 - built from format_html parts below
    )


def _y_axis(*, top: str) -> SafeString:
    """The value axis: a line up the left of the columns and the baseline, with the top value
    written above the columns and 0 beside the baseline."""
    bottom = PLOT_TOP + PLOT_HEIGHT
    return format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#ccc"/>'
        '<line x1="{}" y1="{}" x2="100%" y2="{}" stroke="#ccc"/>'
        '<text x="0" y="11" {}>{}</text><text x="0" y="{}" {}>0</text>',
        _pct(PLOT_LEFT),
        PLOT_TOP,
        _pct(PLOT_LEFT),
        bottom,
        _pct(PLOT_LEFT),
        bottom,
        bottom,
        mark_safe(TEXT),  # noqa: S308 - a constant
        top,
        bottom,
        mark_safe(TEXT),  # noqa: S308 - a constant
    )


def _x_label(*, x: float, text: str) -> SafeString:
    return format_html(
        '<text x="{}" y="{}" {}>{}</text>',
        _pct(x),
        PLOT_TOP + PLOT_HEIGHT + 14,
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
