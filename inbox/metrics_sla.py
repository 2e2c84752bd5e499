"""SLA targets: how many intervals met them in a period, and which running ones are about to miss.

An interval breaches when its duration (business or calendar time, as the target says) exceeds
the target. A running interval is *at risk* once ``AT_RISK_SHARE`` of its target has passed,
and *breached* once all of it has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from inbox.business_hours import business_deadline, business_seconds
from inbox.metrics_filters import MetricFilters, where
from inbox.metrics_recording import team_schedules
from inbox.models import IntervalKind, ResponseInterval, SlaTarget

AT_RISK_SHARE = 0.8
AT_RISK_LIMIT = 500


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
        return {
            "team_id": self.team_id,
            "team": self.team,
            "kind": self.kind,
            "target_seconds": self.target_seconds,
            "business_hours": self.business_hours,
            "total": self.total,
            "breached": self.breached,
            "met": self.total - self.breached,
            "met_share": self.met_share,
            "running_breached": self.running_breached,
        }


def sla_summary(filters: MetricFilters) -> list[SlaRow]:
    """Per team and kind with a target: intervals ended in the period, how many breached."""
    clause, params = where(filters, tuple(IntervalKind.values))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT st.team_id, tm.name, st.kind, st.target_seconds, st.business_hours,
                   count(ri.id),
                   count(ri.id) FILTER (WHERE CASE WHEN st.business_hours
                        THEN ri.business_seconds ELSE ri.calendar_seconds END > st.target_seconds)
              FROM inbox_slatarget st
              JOIN inbox_team tm ON tm.id = st.team_id
              LEFT JOIN inbox_responseinterval ri
                     ON ri.team_id = st.team_id AND ri.kind = st.kind AND {clause}
             WHERE st.team_id = ANY(%s)
             GROUP BY 1, 2, 3, 4, 5
             ORDER BY 2, 3
            """,
            [*params, list(filters.team_ids)],
        )
        rows = cursor.fetchall()
    running = _running_breaches(filters)
    return [SlaRow(*r, running_breached=running.get((r[0], r[2]), 0)) for r in rows]


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
        return {
            "interval_id": self.interval_id,
            "conversation_id": self.conversation_id,
            "team_id": self.team_id,
            "kind": self.kind,
            "started_at": self.started_at.isoformat(),
            "elapsed_seconds": self.elapsed_seconds,
            "target_seconds": self.target_seconds,
            "business_hours": self.business_hours,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "state": self.state,
        }


def at_risk(team_ids: tuple[int, ...], *, now: datetime | None = None) -> list[RunningInterval]:
    """Running intervals past ``AT_RISK_SHARE`` of their target, the most overdue first.

    Business time never runs faster than calendar time, so rows that have not been running for
    ``AT_RISK_SHARE`` of the target in calendar time are skipped in SQL.
    """
    now = now or timezone.now()
    schedules = team_schedules(team_ids)
    result: list[RunningInterval] = []
    for target in SlaTarget.objects.filter(team_id__in=team_ids):
        threshold = target.target_seconds * AT_RISK_SHARE
        candidates = ResponseInterval.objects.filter(
            team_id=target.team_id,
            kind=target.kind,
            ended_at__isnull=True,
            started_at__lte=now - timedelta(seconds=threshold),
        ).values_list("pk", "conversation_id", "started_at")
        schedule = schedules[target.team_id]
        for pk, conversation_id, started_at in candidates.order_by("started_at")[:AT_RISK_LIMIT]:
            if target.business_hours:
                elapsed = business_seconds(schedule, started_at, now)
                due = business_deadline(schedule, started_at, target.target_seconds)
            else:
                elapsed = max(0.0, (now - started_at).total_seconds())
                due = started_at + timedelta(seconds=target.target_seconds)
            if elapsed < threshold:
                continue
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
                    due_at=due,
                    state="breached" if elapsed > target.target_seconds else "at_risk",
                )
            )
    result.sort(key=lambda r: r.elapsed_seconds / r.target_seconds, reverse=True)
    return result


def _running_breaches(filters: MetricFilters) -> dict[tuple[int, str], int]:
    counts: dict[tuple[int, str], int] = {}
    for row in at_risk(filters.team_ids):
        if row.state == "breached":
            counts[(row.team_id, row.kind)] = counts.get((row.team_id, row.kind), 0) + 1
    return counts
