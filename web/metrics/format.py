"""How the dashboard writes durations and changes: "1 h 05 min", "+12 %"."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

UNITS = {
    "s": pgettext_lazy("time unit", "s"),
    "min": pgettext_lazy("time unit", "min"),
    "h": pgettext_lazy("time unit", "h"),
    "d": pgettext_lazy("time unit", "d"),
}


def _u(unit: str) -> str:
    """A unit's abbreviation in the page's language (Danish hours are "t")."""
    return str(UNITS[unit])


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    s = round(seconds)
    if s < 60:
        return f"{s} {_u('s')}"
    if s < 3600:
        if s < 600:
            return f"{s // 60} {_u('min')} {s % 60:02d} {_u('s')}"
        return f"{round(s / 60)} {_u('min')}"
    if s < 86400:
        return f"{s // 3600} {_u('h')} {(s % 3600) // 60:02d} {_u('min')}"
    return f"{s // 86400} {_u('d')} {(s % 86400) // 3600} {_u('h')}"


def change(current: float | None, previous: float | None) -> str | None:
    """Relative change from the previous period, or None when either side has no data."""
    if current is None or previous is None or previous == 0:
        return None
    return f"{(current - previous) / previous * 100:+.0f} %"


def short_duration(seconds: float) -> str:
    """A bin edge: "90 s", "5 min", "2 h", "3 d" (rounded to the unit)."""
    s = round(seconds)
    if s < 60:
        return f"{s} {_u('s')}"
    if s < 3600:
        return f"{round(s / 60)} {_u('min')}"
    if s < 86400:
        return f"{round(s / 3600)} {_u('h')}"
    return f"{round(s / 86400)} {_u('d')}"
