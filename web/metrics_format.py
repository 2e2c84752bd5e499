"""How the dashboard writes durations and changes: "1 h 05 min", "+12 %"."""

from __future__ import annotations


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s" if s < 600 else f"{round(s / 60)} min"
    if s < 86400:
        return f"{s // 3600} h {(s % 3600) // 60:02d} min"
    return f"{s // 86400} d {(s % 86400) // 3600} h"


def change(current: float | None, previous: float | None) -> str | None:
    """Relative change from the previous period, or None when either side has no data."""
    if current is None or previous is None or previous == 0:
        return None
    return f"{(current - previous) / previous * 100:+.0f} %"


def short_duration(seconds: float) -> str:
    """A bin edge: "90 s", "5 min", "2 h", "3 d" (rounded to the unit)."""
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{round(s / 60)} min"
    if s < 86400:
        return f"{round(s / 3600)} h"
    return f"{round(s / 86400)} d"
