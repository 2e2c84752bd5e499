"""A team's automatic-assignment settings, changed by its managers and by admins (issue #17)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inbox.audit import audit
from inbox.exceptions import InvalidInput, NotFound
from inbox.metrics.filters import metric_team_ids
from inbox.models import AssignmentStrategy, AuditAction, TeamAssignment
from inbox.permissions.access import agent_of
from inbox.stored_text import Text

CAPACITY_MAX = 1000
RELEASE_MINUTES_MAX = 7 * 24 * 60


def team_assignment_get(*, user: AbstractBaseUser, team_id: int) -> TeamAssignment:
    """The team's settings (the defaults, off, for a team that never set them)."""
    if team_id not in metric_team_ids(user):
        raise NotFound(Text(gettext_lazy("Team %(team_id)s was not found."), team_id=team_id))
    return TeamAssignment.objects.filter(team_id=team_id).first() or TeamAssignment(team_id=team_id)


@transaction.atomic(durable=True)
def team_assignment_set(
    *,
    user: AbstractBaseUser,
    team_id: int,
    enabled: bool,
    strategy: str,
    capacity: int,
    offline_release_minutes: int,
) -> TeamAssignment:
    actor = agent_of(user)
    if team_id not in metric_team_ids(user):
        raise NotFound(Text(gettext_lazy("Team %(team_id)s was not found."), team_id=team_id))
    if strategy not in AssignmentStrategy.values:
        raise InvalidInput(_("Choose round robin or least loaded."), field="strategy")
    if not 1 <= capacity <= CAPACITY_MAX:
        raise InvalidInput(
            _("Capacity must be between 1 and %(max)d.") % {"max": CAPACITY_MAX}, field="capacity"
        )
    if not 1 <= offline_release_minutes <= RELEASE_MINUTES_MAX:
        raise InvalidInput(
            _("The release time must be between 1 minute and 7 days."),
            field="offline_release_minutes",
        )
    settings, _created = TeamAssignment.objects.update_or_create(
        team_id=team_id,
        defaults={
            "enabled": enabled,
            "strategy": strategy,
            "capacity": capacity,
            "offline_release_minutes": offline_release_minutes,
        },
    )
    audit(
        AuditAction.TEAM_ASSIGNMENT_CHANGED,
        actor=actor,
        object_type="team",
        object_id=team_id,
        team_id=team_id,
        details={
            "enabled": enabled,
            "strategy": strategy,
            "capacity": capacity,
            "offline_release_minutes": offline_release_minutes,
        },
    )
    return settings
