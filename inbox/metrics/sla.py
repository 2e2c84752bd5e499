"""SLA targets: how many intervals met them in a period, and which running ones are about to miss.

An interval breaches when its duration (business or calendar time, as the target says) exceeds
the target. A running interval is *at risk* once ``AT_RISK_SHARE`` of its target has passed,
and *breached* once all of it has.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone

from inbox.metrics.business_hours import ALWAYS_OPEN, BusinessTimeline, Schedule, business_deadline
from inbox.metrics.filters import MetricFilters, where
from inbox.metrics.recording import team_schedules
from inbox.metrics.selectors import STATS_SQL, Stats, fetch, stats_from_row
from inbox.models import IntervalKind, ResponseInterval, SlaTarget

AT_RISK_SHARE = 0.8
AT_RISK_LIMIT = 200  # per target: the longest-running ones


@dataclass(frozen=True, slots=True)
class SlaRow:
    team_id: int
    team: str
    kind: str
    target_seconds: int
    business_hours: bool
    total: int
    breached: int
    running_breached: int  # still running and already over the target

    @property
    def met_share(self) -> float | None:
        return None if self.total == 0 else (self.total - self.breached) / self.total

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "met": self.total - self.breached, "met_share": self.met_share}


def sla_summary(filters: MetricFilters) -> list[SlaRow]:
    """Per team and kind with a target: intervals ended in the period, how many breached."""
    clause, params = where(filters, tuple(IntervalKind.values))
    rows = fetch(
        f"""
        SELECT st.team_id, tm.name, st.kind, st.target_seconds, st.business_hours,
               m.total, m.breached
          FROM inbox_slatarget st
          JOIN inbox_team tm ON tm.id = st.team_id
         CROSS JOIN LATERAL (
               SELECT count(*) AS total,
                      count(*) FILTER (WHERE CASE WHEN st.business_hours
                          THEN ri.business_seconds ELSE ri.calendar_seconds END
                          > st.target_seconds) AS breached
                 FROM inbox_responseinterval ri
                WHERE ri.team_id = st.team_id AND ri.kind = st.kind AND {clause}) AS m
         WHERE st.team_id = ANY(%s)
         ORDER BY 2, 3
        """,
        [*params, list(filters.team_ids)],
    )
    running = running_breaches(filters.team_ids)
    return [SlaRow(*r, running_breached=running.get((r[0], r[2]), 0)) for r in rows]


def period_stats_and_sla(filters: MetricFilters) -> tuple[dict[str, Stats], list[SlaRow]]:
    """``period_stats(filters)`` and ``sla_summary(filters)`` in one pass over the period's
    intervals, for the dashboard: each kind's aggregate also counts, per target of that kind,
    the team's intervals and those over the target (``count(*) FILTER``, no sort); the SLA
    table's own query read the same index range a second time. The rows' ``running_breached``
    is 0 until ``with_running`` adds ``running_overview``'s counts (computed side by side)."""
    targets = list(
        SlaTarget.objects.filter(team_id__in=filters.team_ids)
        .order_by("team__name", "kind")
        .values_list("team_id", "team__name", "kind", "target_seconds", "business_hours")
    )
    parts: list[str] = []
    params: list[object] = []
    for kind in IntervalKind.values:
        clause, where_params = where(filters, (kind,))
        tallies: list[str] = []
        params.append(kind)
        for team_id, _, target_kind, seconds, business in targets:
            if target_kind != kind:
                continue
            value = "ri.business_seconds" if business else "ri.calendar_seconds"
            tallies.append("count(*) FILTER (WHERE ri.team_id = %s)")
            tallies.append(f"count(*) FILTER (WHERE ri.team_id = %s AND {value} > %s)")
            params += [team_id, team_id, seconds]
        array = f"ARRAY[{', '.join(tallies)}]::bigint[]" if tallies else "'{}'::bigint[]"
        parts.append(
            f"SELECT %s::text, {STATS_SQL.format(v=filters.value_column)}, {array}"
            f" FROM inbox_responseinterval ri WHERE {clause}"
        )
        params += where_params
    rows = fetch(" UNION ALL ".join(f"({part})" for part in parts), params)
    stats: dict[str, Stats] = {}
    counted: dict[tuple[int, str], tuple[int, int]] = {}
    for kind, *figures, tallies in rows:
        stats[kind] = stats_from_row(figures)
        mine = [t for t in targets if t[2] == kind]
        for (team_id, *_), total, breached in zip(mine, tallies[::2], tallies[1::2], strict=True):
            counted[(team_id, kind)] = (total, breached)
    sla = [
        SlaRow(
            team_id,
            team,
            kind,
            seconds,
            business,
            *counted[(team_id, kind)],
            running_breached=0,
        )
        for team_id, team, kind, seconds, business in targets
    ]
    return stats, sla


def with_running(rows: list[SlaRow], running: dict[tuple[int, str], int]) -> list[SlaRow]:
    return [replace(r, running_breached=running.get((r.team_id, r.kind), 0)) for r in rows]


@dataclass(frozen=True, slots=True)
class RunningInterval:
    interval_id: int
    conversation_id: int
    team_id: int
    kind: str
    started_at: datetime
    elapsed_seconds: float  # in the target's clock
    target_seconds: int
    business_hours: bool
    due_at: datetime | None
    state: str  # "at_risk" or "breached"

    def as_dict(self) -> dict[str, Any]:
        due_at = self.due_at.isoformat() if self.due_at else None
        return {**asdict(self), "started_at": self.started_at.isoformat(), "due_at": due_at}


def _cutoffs(
    target: SlaTarget, schedule: Schedule, now: datetime
) -> tuple[BusinessTimeline, datetime | None, datetime | None]:
    """The timeline, and the latest start times at which a running interval is at risk and
    breached now. Business time never runs faster than calendar time and only grows, so
    every interval started by a cutoff is past it: one indexed range query each."""
    running = ResponseInterval.objects.filter(
        team_id=target.team_id, kind=target.kind, ended_at__isnull=True
    )
    first = running.aggregate(first=Min("started_at"))["first"] or now
    clock = schedule if target.business_hours else ALWAYS_OPEN
    timeline = BusinessTimeline(clock, min(first, now), now)
    return (
        timeline,
        timeline.latest_start(now, target.target_seconds * AT_RISK_SHARE),
        timeline.latest_start(now, target.target_seconds),
    )


def running_breaches(
    team_ids: tuple[int, ...], *, now: datetime | None = None
) -> dict[tuple[int, str], int]:
    """How many running intervals are already past their target, per team and kind (exact)."""
    return running_overview(team_ids, now=now, limit=0)[0]


def at_risk(
    team_ids: tuple[int, ...], *, now: datetime | None = None, limit: int = AT_RISK_LIMIT
) -> list[RunningInterval]:
    """Running intervals past ``AT_RISK_SHARE`` of their target, the most overdue first
    (the ``limit`` longest-running per target)."""
    return running_overview(team_ids, now=now, limit=limit, count=False)[1]


def running_overview(
    team_ids: tuple[int, ...],
    *,
    now: datetime | None = None,
    limit: int = AT_RISK_LIMIT,
    count: bool = True,
) -> tuple[dict[tuple[int, str], int], list[RunningInterval]]:
    """``running_breaches`` (when ``count``) and ``at_risk`` (up to ``limit`` per target) from
    one timeline per target: the dashboard shows both, and laying each target's schedule
    over its running intervals was most of their time."""
    now = now or timezone.now()
    schedules = team_schedules(team_ids)
    counts: dict[tuple[int, str], int] = {}
    result: list[RunningInterval] = []
    for target in SlaTarget.objects.filter(team_id__in=team_ids):
        timeline, risk, breach = _cutoffs(target, schedules[target.team_id], now)
        if count and breach is not None:
            counts[(target.team_id, target.kind)] = ResponseInterval.objects.filter(
                team_id=target.team_id, kind=target.kind, ended_at__isnull=True,
                started_at__lt=breach,
            ).count()  # fmt: skip
        if risk is None or limit <= 0:
            continue
        rows = (
            ResponseInterval.objects.filter(
                team_id=target.team_id, kind=target.kind, ended_at__isnull=True,
                started_at__lte=risk,
            )
            .order_by("started_at")
            .values_list("pk", "conversation_id", "started_at")[:limit]
        )  # fmt: skip
        for pk, conversation_id, started_at in rows:
            elapsed = timeline.seconds(started_at, now)
            result.append(
                RunningInterval(
                    interval_id=pk,
                    conversation_id=conversation_id,
                    team_id=target.team_id,
                    kind=target.kind,
                    started_at=started_at,
                    elapsed_seconds=elapsed,
                    target_seconds=target.target_seconds,
                    business_hours=target.business_hours,
                    due_at=timeline.deadline(started_at, target.target_seconds),
                    state="breached" if elapsed > target.target_seconds else "at_risk",
                )
            )
    result.sort(key=lambda r: r.elapsed_seconds / r.target_seconds, reverse=True)
    return counts, result


@dataclass(frozen=True, slots=True)
class SlaClock:
    """One running interval with a target, as the inbox list shows it: from ``risk_at`` the
    conversation is at risk, from ``due_at`` it has breached. Both are wall-clock instants
    (business time already laid onto the team's schedule), so a page can keep the flag
    current without asking again."""

    kind: str
    risk_at: datetime
    due_at: datetime

    def state(self, now: datetime) -> str | None:
        if now >= self.due_at:
            return "breached"
        return "at_risk" if now >= self.risk_at else None

    def as_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "risk_at": self.risk_at.isoformat(),
            "due_at": self.due_at.isoformat(),
        }


def sla_clocks(
    conversation_ids: Sequence[int], *, team_ids: Collection[int] | None = None
) -> dict[int, list[SlaClock]]:
    """The running intervals with an SLA target of a page of conversations, soonest due
    first: one query for the intervals with their targets (the ``ri_conversation`` index),
    and one for the schedules only when a target counts business hours. ``team_ids``: only
    conversations of these teams (None: any)."""
    if not conversation_ids:
        return {}
    target = SlaTarget.objects.filter(team_id=OuterRef("team_id"), kind=OuterRef("kind"))
    rows = list(
        ResponseInterval.objects.filter(conversation_id__in=conversation_ids, ended_at__isnull=True)
        .filter(**({} if team_ids is None else {"team_id__in": list(team_ids)}))
        .annotate(
            target_seconds=Subquery(target.values("target_seconds")[:1]),
            business_hours=Subquery(target.values("business_hours")[:1]),
        )
        .filter(target_seconds__isnull=False)
        .order_by()
        .values_list("conversation_id", "team_id", "kind", "started_at", "target_seconds",
                     "business_hours")
    )  # fmt: skip
    schedules = team_schedules({r[1] for r in rows if r[5]}) if any(r[5] for r in rows) else {}
    clocks: dict[int, list[SlaClock]] = {}
    for conversation_id, team_id, kind, started_at, seconds, business in rows:
        if business and not schedules[team_id].always_open:
            risk_at = business_deadline(schedules[team_id], started_at, seconds * AT_RISK_SHARE)
            due_at = business_deadline(schedules[team_id], started_at, seconds)
            if risk_at is None or due_at is None:
                continue  # more than a year of business time away
        else:
            risk_at = started_at + timedelta(seconds=seconds * AT_RISK_SHARE)
            due_at = started_at + timedelta(seconds=seconds)
        clocks.setdefault(conversation_id, []).append(SlaClock(kind, risk_at, due_at))
    for found in clocks.values():
        found.sort(key=lambda c: c.due_at)
    return clocks
