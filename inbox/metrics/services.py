"""A team's business hours and SLA targets, set by its managers.

Changing the schedule recomputes the business time of every closed interval of the team in an
RQ job queued once the change commits (``inbox.metrics.jobs``): until it has run, the schedule
is marked as recomputing and the dashboard and API say that its figures are being recomputed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy

from inbox.exceptions import InvalidInput, NotFound
from inbox.metrics.business_hours import parse_schedule
from inbox.metrics.filters import metric_team_ids
from inbox.metrics.jobs import business_hours_recompute_enqueue
from inbox.models import BusinessSchedule, IntervalKind, SlaTarget
from inbox.stored_text import Text

TARGET_MAX_SECONDS = 60 * 60 * 24 * 365


def _check_team(user: AbstractBaseUser, team_id: int) -> None:
    if team_id not in metric_team_ids(user):
        raise NotFound(Text(gettext_lazy("Team %(team_id)s was not found."), team_id=team_id))


@transaction.atomic(durable=True)
def business_schedule_set(
    *,
    user: AbstractBaseUser,
    team_id: int,
    time_zone: str,
    weekly: Mapping[str, Sequence[Sequence[str]]],
    holidays: Sequence[str] = (),
) -> BusinessSchedule:
    _check_team(user, team_id)
    parse_schedule(time_zone=time_zone, weekly=weekly, holidays=holidays)  # validates
    schedule, _ = BusinessSchedule.objects.select_for_update().update_or_create(
        team_id=team_id,
        defaults={
            "time_zone": time_zone,
            "weekly": {str(k): [list(i) for i in v] for k, v in weekly.items()},
            "holidays": sorted({str(h) for h in holidays}),
        },
    )
    BusinessSchedule.objects.filter(pk=schedule.pk).update(
        revision=F("revision") + 1, recomputing_since=timezone.now()
    )
    schedule.refresh_from_db(fields=["revision", "recomputing_since"])
    transaction.on_commit(partial(business_hours_recompute_enqueue, team_id, schedule.revision))
    return schedule


@transaction.atomic(durable=True)
def sla_target_set(
    *,
    user: AbstractBaseUser,
    team_id: int,
    kind: str,
    target_seconds: int | None,
    business_hours: bool = True,
) -> SlaTarget | None:
    """Set the team's target for a kind of interval; ``target_seconds=None`` removes it."""
    _check_team(user, team_id)
    if kind not in IntervalKind.values:
        raise InvalidInput(
            Text(gettext_lazy("Unknown kind %(kind)s."), kind=repr(kind)), field="kind"
        )
    if target_seconds is None:
        SlaTarget.objects.filter(team_id=team_id, kind=kind).delete()
        return None
    if not 0 < target_seconds <= TARGET_MAX_SECONDS:
        raise InvalidInput(
            gettext_lazy("A target is between 1 second and a year."), field="target_seconds"
        )
    target, _ = SlaTarget.objects.update_or_create(
        team_id=team_id,
        kind=kind,
        defaults={"target_seconds": target_seconds, "business_hours": business_hours},
    )
    return target
