"""Response-time metrics (docs/architecture.md §8, docs/metrics.md): aggregates in SQL over
``ResponseInterval``. Median and p90 are PostgreSQL's ``percentile_cont`` (linear interpolation
between the two nearest values), the mean is ``avg``; every figure comes with its count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from inbox.exceptions import InvalidInput
from inbox.metrics.filters import MetricFilters, tags_in_use, where
from inbox.models import Agent, BusinessSchedule, ChannelAccount, IntervalKind, Team
from inbox.stored_text import Text

STATS_SQL = """count(*) AS n,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY {v}) AS median,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY {v}) AS p90,
       avg({v}) AS mean"""

# Upper bounds (seconds) of the distribution's bins; the last bin is open-ended.
DISTRIBUTION_BOUNDS = (60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 259200)


class Dimension(StrEnum):
    AGENT = "agent"
    TEAM = "team"
    PLATFORM = "platform"
    ACCOUNT = "account"
    TAG = "tag"


class Bucket(StrEnum):
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"


@dataclass(frozen=True, slots=True)
class Stats:
    count: int
    median: float | None
    p90: float | None
    mean: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "median": self.median, "p90": self.p90, "mean": self.mean}


EMPTY = Stats(0, None, None, None)


def stats_from_row(row: Sequence[Any]) -> Stats:
    """Stats from the four columns of ``STATS_SQL``."""
    count, median, p90, mean = row
    return Stats(int(count), median, p90, None if mean is None else float(mean))


# percentile_cont sorts each group's values: at 100,000+ intervals the default work_mem (4 MB)
# sends that sort to disk, and the query takes three times as long (bench/metrics_dashboard.py).
SORT_MEMORY = "64MB"


def fetch(sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
    """Run one metrics query with enough sort memory for its percentiles."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, true)", [SORT_MEMORY])
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- headline figures -------------------------------------------------------------------------


def period_stats(filters: MetricFilters) -> dict[str, Stats]:
    """Per kind: count, median, p90 and mean of the intervals that ended in the period."""
    # One aggregate per kind over that kind's index range, rather than GROUP BY kind: grouping
    # sorted every row of the period by kind (a text sort of 245,000 rows for four teams)
    # before the percentiles sorted them again by value; this took half the time.
    clause, params = where(filters, (), kind_from="k.kind")
    rows = fetch(
        f"""
        SELECT k.kind, s.*
          FROM unnest(%s::text[]) AS k(kind)
         CROSS JOIN LATERAL (
               SELECT {STATS_SQL.format(v=filters.value_column)}
                 FROM inbox_responseinterval ri
                WHERE {clause}) AS s
         WHERE s.n > 0
        """,
        [list(IntervalKind.values), *params],
    )
    found = {kind: stats_from_row(stats) for kind, *stats in rows}
    return {k: found.get(k, EMPTY) for k in IntervalKind.values}


def combine(current: dict[str, Stats], previous: dict[str, Stats]) -> dict[str, dict[str, Stats]]:
    return {k: {"current": current[k], "previous": previous[k]} for k in IntervalKind.values}


def summary(filters: MetricFilters) -> dict[str, dict[str, Stats]]:
    """Per kind: this period's and the previous period's stats (two queries, which the
    dashboard runs side by side)."""
    return combine(period_stats(filters), period_stats(filters.previous()))


# --- tables per dimension ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    key: Any  # the dimension's value: an id, a platform or a tag name; None for "nobody"
    label: str
    stats: Stats


GROUP_SQL = {
    Dimension.AGENT: ("ri.agent_id", ""),
    Dimension.TEAM: ("ri.team_id", ""),
    Dimension.PLATFORM: ("ri.platform", ""),
    Dimension.ACCOUNT: ("ri.account_id", ""),
    Dimension.TAG: (
        "t.name",
        "JOIN inbox_conversation_tags ct ON ct.conversation_id = ri.conversation_id"
        " JOIN inbox_tag t ON t.id = ct.tag_id",
    ),
}


def _labels(dimension: Dimension, keys: list[Any]) -> dict[Any, str]:
    ids = [k for k in keys if k is not None]
    if dimension == Dimension.AGENT:
        labels = dict(Agent.objects.filter(pk__in=ids).values_list("pk", "public_name"))
        return {**labels, None: "Outside Svar (platform app)"}
    if dimension == Dimension.TEAM:
        return dict(Team.objects.filter(pk__in=ids).values_list("pk", "name"))
    if dimension == Dimension.ACCOUNT:
        return dict(ChannelAccount.objects.filter(pk__in=ids).values_list("pk", "display_name"))
    if dimension == Dimension.PLATFORM:
        labels = {"x": "X", "facebook": "Facebook", "instagram": "Instagram", "email": "E-mail"}
        return {k: labels.get(k, k) for k in ids}
    return {k: k for k in ids}


def parse_dimension(raw: str | None) -> Dimension:
    try:
        return Dimension((raw or "agent").strip())
    except ValueError:
        raise InvalidInput(
            Text(
                _("Unknown dimension %(raw)s; use %(choices)s."),
                raw=repr(raw),
                choices=", ".join(d.value for d in Dimension),
            ),
            field="by",
        ) from None


def breakdown(filters: MetricFilters, kind: str, dimension: Dimension) -> list[Row]:
    """Stats per agent, team, platform, account or tag (a conversation counts under each of its
    tags), busiest first."""
    column, join = GROUP_SQL[dimension]
    clause, params = where(filters, (kind,))
    rows = fetch(
        f"""
        SELECT {column}, {STATS_SQL.format(v=filters.value_column)}
          FROM inbox_responseinterval ri {join}
         WHERE {clause}
         GROUP BY 1
         ORDER BY 2 DESC, 1
        """,
        params,
    )
    labels = _labels(dimension, [r[0] for r in rows])
    return [Row(r[0], labels.get(r[0], str(r[0])), stats_from_row(r[1:])) for r in rows]


# --- time series ------------------------------------------------------------------------------


# A bucket's length, and where buckets start counted from the epoch (a Thursday): ISO weeks
# start on Mondays, four days later.
BUCKET_SECONDS = {Bucket.HOUR: (3600, 0), Bucket.DAY: (86400, 0), Bucket.WEEK: (604800, 345600)}


def parse_bucket(raw: str | None) -> Bucket:
    try:
        return Bucket((raw or "day").strip())
    except ValueError:
        raise InvalidInput(_("bucket must be hour, day or week."), field="bucket") from None


def series(filters: MetricFilters, kind: str, bucket: Bucket) -> list[tuple[datetime, Stats]]:
    """Stats per hour, day or ISO week (Monday) of the teams' time zone, by end time."""
    clause, params = where(filters, (kind,))
    # date_trunc(bucket, ended_at AT TIME ZONE zone) without a time-zone conversion per row:
    # the local epoch (local_epoch_sql) floored to the bucket's length, weeks from a Monday
    # (1970-01-05, four days after the epoch); only each bucket's start is turned back into a
    # local time.
    size, shift = BUCKET_SECONDS[bucket]
    local, local_params = local_epoch_sql(
        "ri.ended_at", ZoneInfo(filters.time_zone), filters.start, filters.end
    )
    rows = fetch(
        f"""
        SELECT to_timestamp(b.start) AT TIME ZONE 'UTC',
               {STATS_SQL.format(v="b.v")}
          FROM (SELECT floor(({local} - %s) / %s) * %s + %s AS start,
                       {filters.value_column} AS v
                  FROM inbox_responseinterval ri
                 WHERE {clause}) b
         GROUP BY b.start
         ORDER BY b.start
        """,
        [*local_params, shift, size, size, shift, *params],
    )
    zone = ZoneInfo(filters.time_zone)
    return [(r[0].replace(tzinfo=zone), stats_from_row(r[1:])) for r in rows]


# --- distribution -----------------------------------------------------------------------------


def distribution(filters: MetricFilters, kind: str) -> list[tuple[float, float | None, int]]:
    """How many intervals fall in each bin: (lower, upper or None, count), every bin listed."""
    clause, params = where(filters, (kind,))
    rows = dict(
        fetch(
            f"""
            SELECT width_bucket({filters.value_column}, %s::double precision[]) AS bin, count(*)
              FROM inbox_responseinterval ri
             WHERE {clause}
             GROUP BY 1
            """,
            [list(DISTRIBUTION_BOUNDS), *params],
        )
    )
    lowers = (0, *DISTRIBUTION_BOUNDS)
    uppers = (*DISTRIBUTION_BOUNDS, None)
    return [
        (lo, hi, int(rows.get(i, 0))) for i, (lo, hi) in enumerate(zip(lowers, uppers, strict=True))
    ]


# --- hour-of-week heatmap ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeatCell:
    weekday: int  # ISO: 1 = Monday
    hour: int
    waits: int  # customer waits that began in this hour of the week
    answered: int
    median: float | None  # of the answered ones


def utc_offsets(zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """The zone's UTC offsets in [start, end): ``(until, seconds)`` pairs in time order, the
    last one's ``until`` being ``end``. Found hour by hour, each change then to the second
    (time zones change their offset at whole seconds, and never twice within an hour)."""

    def offset(at: datetime) -> int:
        return int(at.astimezone(zone).utcoffset().total_seconds())

    start, end = start.astimezone(UTC), end.astimezone(UTC)  # absolute time steps
    step = timedelta(hours=1)
    at, current = start, offset(start)
    spans: list[tuple[datetime, int]] = []
    while at < end:
        nxt = min(at + step, end)
        if offset(nxt) != current:
            low, high = 0, int((nxt - at).total_seconds())  # changed after low, by high
            while high - low > 1:
                mid = (low + high) // 2
                if offset(at + timedelta(seconds=mid)) == current:
                    low = mid
                else:
                    high = mid
            changed_at = at + timedelta(seconds=high)
            spans.append((changed_at, current))
            at, current = changed_at, offset(changed_at)
            continue
        at = nxt
    spans.append((end, current))
    return spans


def local_epoch_sql(
    column: str, zone: ZoneInfo, start: datetime, end: datetime
) -> tuple[str, list[object]]:
    """SQL for ``column``'s local wall-clock time as seconds since 1970-01-01 00:00 (float),
    for rows with ``column`` in [start, end): the UTC epoch plus the zone's offset at that
    instant, chosen by comparing with the offset changes of the period. Equals
    ``extract(epoch FROM column AT TIME ZONE zone)`` without a time-zone conversion per row
    (which cost more than the rest of the heatmap's query)."""
    spans = utc_offsets(zone, start, end)
    params: list[object] = []
    if len(spans) == 1:
        offset_sql = "%s"
        params.append(spans[0][1])
    else:
        cases = []
        for until, seconds in spans[:-1]:
            cases.append(f"WHEN {column} < %s THEN %s")
            params += [until, seconds]
        offset_sql = f"CASE {' '.join(cases)} ELSE %s END"
        params.append(spans[-1][1])
    return f"(date_part('epoch', {column}) + {offset_sql})", params


def heatmap(filters: MetricFilters) -> list[HeatCell]:
    """Incoming volume (customer waits begun, by local hour of the week) and how long they took,
    for waits that *started* in the period."""
    clause, params = where(filters, (IntervalKind.REPLY,), by="started_at")
    v = filters.value_column
    local, local_params = local_epoch_sql(
        "ri.started_at", ZoneInfo(filters.time_zone), filters.start, filters.end
    )
    rows = fetch(
        f"""
        SELECT w.hour_of_week / 24 + 1, w.hour_of_week %% 24, count(*),
               count(*) FILTER (WHERE w.ended_by IN ('agent', 'native')),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY w.v)
                   FILTER (WHERE w.ended_by IN ('agent', 'native'))
          FROM (SELECT ri.ended_by, {v} AS v,
                       -- local hours since the epoch (a Thursday) + 72 = hours since a
                       -- Monday 00:00, modulo one week (twice: mod keeps a negative's sign)
                       mod(mod(floor({local} / 3600)::bigint + 72, 168) + 168, 168)::int
                           AS hour_of_week
                  FROM inbox_responseinterval ri
                 WHERE {clause}) w
         GROUP BY w.hour_of_week
        """,
        [*local_params, *params],
    )
    found = {(r[0], r[1]): r for r in rows}
    cells = []
    for dow in range(1, 8):
        for hour in range(24):
            r = found.get((dow, hour))
            cells.append(
                HeatCell(dow, hour, int(r[2]), int(r[3]), r[4])
                if r
                else HeatCell(dow, hour, 0, 0, None)
            )
    return cells


def tag_names(team_ids: Sequence[int]) -> list[str]:
    """The tags the filters offer: those in use in these teams."""
    return list(tags_in_use(team_ids).order_by("name").values_list("name", flat=True))


def business_hours_recomputing(team_ids: Sequence[int]) -> bool:
    """Whether a schedule change of one of these teams still waits for its recompute: until
    then their business-hours figures mix the old schedule and the new."""
    return BusinessSchedule.objects.filter(
        team_id__in=list(team_ids), recomputing_since__isnull=False
    ).exists()


def business_schedule_get(*, team_id: int) -> BusinessSchedule | None:
    """The team's business hours, or None: always open."""
    return BusinessSchedule.objects.filter(team_id=team_id).first()
