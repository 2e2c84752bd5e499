"""Business time between two instants, under a team's weekly schedule, time zone and holidays.

Exact across DST changes: each opening interval is placed on its local date with ``zoneinfo``
and converted to UTC, so a night whose clocks jump counts the real elapsed time. A wall-clock
time that does not exist (the hour skipped in spring) resolves as ``zoneinfo`` does with
``fold=0``; one that exists twice (autumn) is taken at its first occurrence.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy

from inbox.exceptions import InvalidInput
from inbox.params import time_zone as checked_time_zone
from inbox.stored_text import Text

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
        raise InvalidInput(
            Text(
                gettext_lazy("%(clock)s is not a time of day (HH:MM, 00:00–24:00)."),
                clock=repr(clock),
            ),
            field=field,
        )
    return int(match.group(1)) * 60 + int(match.group(2))


def parse_schedule(
    *, time_zone: str, weekly: Mapping[str, Sequence[Sequence[str]]], holidays: Iterable[str]
) -> Schedule:
    """Validate a stored or submitted schedule; raises ``InvalidInput`` naming the bad part."""
    zone = ZoneInfo(checked_time_zone(str(time_zone), "time_zone"))
    days: dict[int, tuple[tuple[int, int], ...]] = {}
    for key, intervals in dict(weekly).items():
        if str(key) not in {str(d) for d in range(1, 8)}:
            raise InvalidInput(
                Text(
                    gettext_lazy("Weekday %(key)s must be 1 (Monday) … 7 (Sunday)."), key=repr(key)
                ),
                field="weekly",
            )
        parsed = []
        for interval in intervals:
            if len(interval) != 2:
                raise InvalidInput(gettext_lazy("Each interval is [start, end]."), field="weekly")
            start, end = (_minutes(v, "weekly") for v in interval)
            if end <= start:
                raise InvalidInput(
                    Text(
                        gettext_lazy("Interval %(start)s–%(end)s ends before it starts."),
                        start=interval[0],
                        end=interval[1],
                    ),
                    field="weekly",
                )
            parsed.append((start, end))
        parsed.sort()
        for (_, end), (start, _) in zip(parsed, parsed[1:], strict=False):
            if start < end:
                raise InvalidInput(
                    Text(gettext_lazy("Intervals overlap on weekday %(key)s."), key=key),
                    field="weekly",
                )
        days[int(key)] = tuple(parsed)
    try:
        holiday_dates = frozenset(date.fromisoformat(str(h)) for h in holidays)
    except ValueError:
        raise InvalidInput(
            gettext_lazy("Holidays are ISO dates (YYYY-MM-DD)."), field="holidays"
        ) from None
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


class BusinessTimeline:
    """A schedule's opening intervals over a span, with running totals, so that many
    measurements over the same span cost a binary search each (recomputes, at-risk lists)."""

    def __init__(self, schedule: Schedule, start: datetime, end: datetime) -> None:
        self.schedule = schedule
        self.start, self.end = start.astimezone(UTC), end.astimezone(UTC)
        self._opens: list[datetime] = []
        self._lengths: list[float] = []
        self._before: list[float] = []  # business seconds before each opening interval
        total = 0.0
        if not schedule.always_open:
            for open_at, close_at in open_intervals(schedule, self.start, self.end):
                length = (close_at - open_at).total_seconds()
                if length <= 0:
                    continue
                self._opens.append(open_at)
                self._lengths.append(length)
                self._before.append(total)
                total += length
        self._after = [b + n for b, n in zip(self._before, self._lengths, strict=True)]

    def _covers(self, *instants: datetime) -> bool:
        return all(self.start <= t <= self.end for t in instants)

    def _clock(self, instant: datetime) -> float:
        """Business seconds from the first opening interval to ``instant``."""
        i = bisect_right(self._opens, instant) - 1
        if i < 0:
            return 0.0
        return self._before[i] + min((instant - self._opens[i]).total_seconds(), self._lengths[i])

    def seconds(self, start: datetime, end: datetime) -> float:
        """Same as :func:`business_seconds` (which it falls back to outside the span)."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start:
            return 0.0
        if self.schedule.always_open:
            return (end - start).total_seconds()
        if not self._covers(start, end):
            return business_seconds(self.schedule, start, end)
        return max(0.0, self._clock(end) - self._clock(start))

    def latest_start(self, end: datetime, seconds: float) -> datetime | None:
        """The latest start from which ``seconds`` of business time have passed by ``end``
        (None if that is before the span): every interval started by then has reached it."""
        end = end.astimezone(UTC)
        if self.schedule.always_open:
            return end - timedelta(seconds=seconds)
        target = self._clock(end) - seconds
        if target < 0:
            return None
        # The clock stands still while closed: the latest start is where it passes ``target``.
        i = bisect_right(self._after, target)
        if i >= len(self._opens):
            return end
        return self._opens[i] + timedelta(seconds=max(0.0, target - self._before[i]))

    def deadline(self, start: datetime, seconds: float) -> datetime | None:
        """Same as :func:`business_deadline`, by binary search when it falls in the span."""
        start = start.astimezone(UTC)
        if self.schedule.always_open:
            return start + timedelta(seconds=seconds)
        if self._covers(start):
            target = self._clock(start) + seconds
            i = bisect_left(self._after, target)
            if i < len(self._opens):
                return self._opens[i] + timedelta(seconds=max(0.0, target - self._before[i]))
        return business_deadline(self.schedule, start, seconds)
