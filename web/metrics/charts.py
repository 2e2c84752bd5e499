"""Server-side SVG charts for the metrics dashboard: no script, no external service.

Every mark carries a ``<title>`` (its exact figure, shown on hover) and, where it stands for
rows, a link to them named by that figure. A chart with links is a named group, not an image (an
image cannot hold links: axe-core's nested-interactive), and each chart is followed by its
figures as a table (web/metrics/chart_tables.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from web.metrics.chart_tables import data_table
from web.metrics.format import duration

WIDTH, HEIGHT = 720, 220
PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 12, 12, 36
AXIS_CHAR_PX = 6.5  # an axis label's character at 10px, generously: labels are never cut


@dataclass(frozen=True, slots=True)
class Point:
    label: str
    values: tuple[float | None, ...]  # one per line
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    count: int
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Cell:
    weekday: int
    hour: int
    count: int
    median: float | None
    href: str | None = None


def _svg(
    title: str, parts: list[str], *, css: str = "chart", width: int = WIDTH, height: int = HEIGHT
) -> SafeString:
    """The chart's marks in an ``<svg>`` named by ``title`` (for screen readers and on hover)."""
    return mark_safe(
        f'<svg class="{css}" viewBox="0 0 {width} {height}" role="group" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )


def _linked(mark: str, href: str | None, name: str) -> str:
    return f'<a href="{escape(href)}" aria-label="{escape(name)}">{mark}</a>' if href else mark


def _y_ticks(top: float) -> list[float]:
    if top <= 0:
        return [0.0]
    return [top * i / 4 for i in range(5)]


def _empty(title: str) -> SafeString:
    return mark_safe(
        '<p class="empty">'
        + escape(_("%(chart)s: no data in this period.") % {"chart": title})
        + "</p>"
    )


def line_chart(points: Sequence[Point], names: Sequence[str], *, title: str) -> SafeString:
    """Lines (median, p90, …) over time buckets; each bucket's dots link to its rows."""
    if not points:
        return _empty(title)
    values = [v for p in points for v in p.values if v is not None]
    top = max(values) * 1.1 if values else 1.0
    ticks = _y_ticks(top)
    pad_left = 12 + AXIS_CHAR_PX * max(len(duration(t)) for t in ticks)
    inner_w = WIDTH - pad_left - PAD_RIGHT
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = inner_w / max(1, len(points) - 1) if len(points) > 1 else 0

    def x(i: int) -> float:
        return pad_left + (i * step if len(points) > 1 else inner_w / 2)

    def y(v: float) -> float:
        return PAD_TOP + inner_h - (v / top) * inner_h if top else PAD_TOP + inner_h

    parts: list[str] = []
    for tick in ticks:
        ty = y(tick)
        parts.append(
            f'<line class="grid" x1="{pad_left:.1f}" x2="{WIDTH - PAD_RIGHT}" y1="{ty:.1f}" '
            f'y2="{ty:.1f}"/><text class="axis" x="{pad_left - 6:.1f}" y="{ty + 4:.1f}" '
            f'text-anchor="end">{escape(duration(tick))}</text>'
        )
    label_every = max(1, len(points) // 8)
    for i, p in enumerate(points):
        if i % label_every == 0:
            parts.append(
                f'<text class="axis" x="{x(i):.1f}" y="{HEIGHT - 12}" '
                f'text-anchor="middle">{escape(p.label)}</text>'
            )
    for series_index, name in enumerate(names):
        coords = [
            (x(i), y(p.values[series_index]))
            for i, p in enumerate(points)
            if p.values[series_index] is not None
        ]
        if len(coords) > 1:
            path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
            parts.append(f'<polyline class="line s{series_index}" points="{path}"/>')
        for i, p in enumerate(points):
            v = p.values[series_index]
            if v is None:
                continue
            figure = f"{p.label} {name}: {duration(v)}"
            dot = (
                f'<circle class="dot s{series_index}" cx="{x(i):.1f}" cy="{y(v):.1f}" r="3">'
                f"<title>{escape(figure)}</title></circle>"
            )
            parts.append(_linked(dot, p.href, figure))
    rows = [
        (p.href, [p.label, *("–" if v is None else duration(v) for v in p.values)]) for p in points
    ]
    return _svg(title, parts) + data_table(title, [_("Period"), *names], rows)


def bar_chart(bars: Sequence[Bar], *, title: str) -> SafeString:
    """Counts per bin (the distribution); each bar links to its rows."""
    top = max((b.count for b in bars), default=0) or 1
    pad_left = 12
    inner_w = WIDTH - pad_left - PAD_RIGHT
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = inner_w / max(1, len(bars))
    parts: list[str] = []
    for i, b in enumerate(bars):
        h = inner_h * b.count / top
        bx = pad_left + i * slot + slot * 0.1
        by = PAD_TOP + inner_h - h
        rect = (
            f'<rect class="bar" x="{bx:.1f}" y="{by:.1f}" width="{slot * 0.8:.1f}" '
            f'height="{max(h, 0.5):.1f}"><title>{escape(b.label)}: {b.count}</title></rect>'
            f'<text class="axis" x="{bx + slot * 0.4:.1f}" y="{by - 3:.1f}" '
            f'text-anchor="middle">{b.count}</text>'
        )
        parts.append(_linked(rect, b.href if b.count else None, f"{b.label}: {b.count}"))
        parts.append(
            f'<text class="axis" x="{bx + slot * 0.4:.1f}" y="{HEIGHT - 12}" '
            f'text-anchor="middle">{escape(b.label)}</text>'
        )
    rows = [(b.href if b.count else None, [b.label, str(b.count)]) for b in bars]
    return _svg(title, parts) + data_table(title, [_("Wait"), _("Count")], rows)


WEEKDAYS = (
    pgettext_lazy("weekday", "Mon"),
    pgettext_lazy("weekday", "Tue"),
    pgettext_lazy("weekday", "Wed"),
    pgettext_lazy("weekday", "Thu"),
    pgettext_lazy("weekday", "Fri"),
    pgettext_lazy("weekday", "Sat"),
    pgettext_lazy("weekday", "Sun"),
)


def heatmap(cells: Sequence[Cell], *, title: str) -> SafeString:
    """7 × 24 grid: shade = customer waits begun; the title gives the median wait too."""
    size, left, top_pad = 26, 40, 18
    width, height = left + 24 * size + 4, top_pad + 7 * size + 4
    peak = max((c.count for c in cells), default=0) or 1
    parts: list[str] = []
    for hour in range(0, 24, 3):
        parts.append(
            f'<text class="axis" x="{left + hour * size + size / 2}" y="12" '
            f'text-anchor="middle">{hour:02d}</text>'
        )
    for day in range(7):
        parts.append(
            f'<text class="axis" x="{left - 6}" y="{top_pad + day * size + size * 0.65}" '
            f'text-anchor="end">{WEEKDAYS[day]}</text>'
        )
    for c in cells:
        shade = c.count / peak
        figure = _("%(day)s %(hour)s:00 – %(count)s waits, median %(median)s") % {
            "day": WEEKDAYS[c.weekday - 1],
            "hour": f"{c.hour:02d}",
            "count": c.count,
            "median": _median(c),
        }
        rect = (
            f'<rect class="cell" x="{left + c.hour * size}" y="{top_pad + (c.weekday - 1) * size}"'
            f' width="{size - 2}" height="{size - 2}" fill-opacity="{0.06 + 0.94 * shade:.2f}">'
            f"<title>{escape(figure)}</title></rect>"
        )
        parts.append(_linked(rect, c.href if c.count else None, figure))
    rows = [
        (c.href, [f"{WEEKDAYS[c.weekday - 1]} {c.hour:02d}:00", str(c.count), _median(c)])
        for c in cells
        if c.count
    ]
    svg = _svg(title, parts, css="chart heatmap", width=width, height=height)
    return svg + data_table(title, [_("Hour"), _("Waits"), _("Median")], rows)


def _median(cell: Cell) -> str:
    return duration(cell.median) if cell.median is not None else "–"
