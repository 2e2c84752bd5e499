"""Four-eyes approval figures (issue #16, docs/metrics.md): per team and approver, in the
period (by when the decision was made): replies approved, sent back, and the time from the
request to the decision (median and mean, calendar seconds: a reply waits in real time)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.db import connection

from inbox.metrics.filters import MetricFilters
from inbox.models import Agent, ReplyApproval, Team

_SQL = f"""
SELECT a.team_id, t.name, a.decided_by_id, ag.public_name,
       count(*) FILTER (WHERE a.state = 'approved'),
       count(*) FILTER (WHERE a.state = 'sent_back'),
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM a.decided_at - a.requested_at)),
       avg(extract(epoch FROM a.decided_at - a.requested_at))
FROM {ReplyApproval._meta.db_table} a
JOIN {Team._meta.db_table} t ON t.id = a.team_id
JOIN {Agent._meta.db_table} ag ON ag.id = a.decided_by_id
WHERE a.team_id = ANY(%s) AND a.decided_at >= %s AND a.decided_at < %s
  AND a.state IN ('approved', 'sent_back')
GROUP BY a.team_id, t.name, a.decided_by_id, ag.public_name
ORDER BY t.name, ag.public_name
"""  # noqa: S608 -- table names from the models


@dataclass(frozen=True, slots=True)
class ApprovalRow:
    team_id: int
    team: str
    approver_id: int
    approver: str
    approved: int
    sent_back: int
    median_seconds: float | None
    mean_seconds: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def approval_figures(filters: MetricFilters) -> list[ApprovalRow]:
    if not filters.team_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_SQL, [list(filters.team_ids), filters.start, filters.end])
        rows = cursor.fetchall()
    return [
        ApprovalRow(
            team_id,
            team,
            approver_id,
            approver,
            approved,
            sent_back,
            float(median) if median is not None else None,
            float(mean) if mean is not None else None,
        )  # fmt: skip
        for team_id, team, approver_id, approver, approved, sent_back, median, mean in rows
    ]


def approvals_pending(team_ids: tuple[int, ...]) -> int:
    """Replies waiting for approval right now in these teams."""
    return ReplyApproval.objects.filter(team_id__in=team_ids, state="pending").count()
