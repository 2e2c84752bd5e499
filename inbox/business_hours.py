"""Business time between two instants, under a team's weekly schedule, time zone and holidays.

Exact across DST changes: each opening interval is placed on its local date with ``zoneinfo``
and converted to UTC, so a night whose clocks jump counts the real elapsed time. A wall-clock
time that does not exist (the hour skipped in spring) resolves as ``zoneinfo`` does with
``fold=0``; one that exists twice (autumn) is taken at its first occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from inbox.exceptions import InvalidInput

_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


@dataclass(frozen=True, slots=True)
class Schedule:
    """``weekly[iso_weekday]`` holds (start, end) minutes after local midnight; end ≤ 1440."""

    time_zone: ZoneInfo
    weekly: Mapping[int, tuple[tuple[int, int], ...]]
    holidays: frozenset[date]

    @property
    def always_open(self) -> bool:
        return all(self.weekly.get(d) == ((0, 1440),) for d in range(1, 8)) and not self.holidays


ALWAYS_OPEN = Schedule(
    time_zone=ZoneInfo("UTC"),
    weekly=dict.fromkeys(range(1, 8), ((0, 1440),)),
    holidays=frozenset(),
)


def _minutes(clock: str, field: str) -> int:
    match = _CLOCK.match(str(clock))
    if not match or (match.group(1) == "24" and match.group(2) != "00"):
        raise InvalidInput(f"{clock!r} is not a time of day (HH:MM, 00:00–24:00).", field=field)
    return int(match.group(1)) * 60 + int(match.group(2))


def parse_schedule(
    *, time_zone: str, weekly: Mapping[str, Sequence[Sequence[str]]], holidays: Iterable[str]
) -> Schedule:
    """Validate a stored or submitted schedule; raises ``InvalidInput`` naming the bad part."""
    try:
        zone = ZoneInfo(str(time_zone))
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"Unknown time zone {time_zone!r}.", field="time_zone") from None
    days: dict[int, tuple[tuple[int, int], ...]] = {}
    for key, intervals in dict(weekly).items():
        if str(key) not in {str(d) for d in range(1, 8)}:
            raise InvalidInput(f"Weekday {key!r} must be 1 (Monday) … 7 (Sunday).", field="weekly")
        parsed = []
        for interval in intervals:
            if len(interval) != 2:
                raise InvalidInput("Each interval is [start, end].", field="weekly")
            start, end = (_minutes(v, "weekly") for v in interval)
            if end <= start:
                raise InvalidInput(
                    f"Interval {interval[0]}–{interval[1]} ends before it starts.", field="weekly"
                )
            parsed.append((start, end))
        parsed.sort()
        for (_, end), (start, _) in zip(parsed, parsed[1:], strict=False):
            if start < end:
                raise InvalidInput(f"Intervals overlap on weekday {key}.", field="weekly")
        days[int(key)] = tuple(parsed)
    try:
        holiday_dates = frozenset(date.fromisoformat(str(h)) for h in holidays)
    except ValueError:
        raise InvalidInput("Holidays are ISO dates (YYYY-MM-DD).", field="holidays") from None
    return Schedule(time_zone=zone, weekly=days, holidays=holiday_dates)


def _local_instant(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    midnight = datetime.combine(day, time(0), tzinfo=zone)
    if minutes == 1440:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    wall = midnight.replace(hour=minutes // 60, minute=minutes % 60)
    return wall.astimezone(UTC)


def open_intervals(
    schedule: Schedule, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The schedule's opening intervals (UTC) that may overlap [start, end]."""
    zone = schedule.time_zone
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    result = []
    day = first
    while day <= last:
        if day not in schedule.holidays:
            for open_min, close_min in schedule.weekly.get(day.isoweekday(), ()):
                result.append(
                    (_local_instant(day, open_min, zone), _local_instant(day, close_min, zone))
                )
        day += timedelta(days=1)
    return result


def business_seconds(schedule: Schedule, start: datetime, end: datetime) -> float:
    """Seconds of [start, end] that fall inside the schedule's opening hours."""
    # In UTC: Python subtracts two datetimes of the same zone by wall clock, ignoring DST.
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return 0.0
    if schedule.always_open:
        return (end - start).total_seconds()
    total = 0.0
    for open_at, close_at in open_intervals(schedule, start, end):
        overlap = (min(end, close_at) - max(start, open_at)).total_seconds()
        if overlap > 0:
            total += overlap
    return total


def business_deadline(schedule: Schedule, start: datetime, seconds: float) -> datetime | None:
    """When ``seconds`` of business time will have passed after ``start`` (None: > 1 year)."""
    start = start.astimezone(UTC)
    if schedule.always_open:
        return start + timedelta(seconds=seconds)
    remaining = seconds
    horizon = start
    for _ in range(53):  # a week at a time, for at most a year
        window_end = horizon + timedelta(days=7)
        for open_at, close_at in open_intervals(schedule, horizon, window_end):
            lo, hi = max(open_at, horizon), min(close_at, window_end)
            if hi <= lo:
                continue
            span = (hi - lo).total_seconds()
            if span >= remaining:
                return lo + timedelta(seconds=remaining)
            remaining -= span
        horizon = window_end
    return None
