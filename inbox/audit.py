"""Writing the audit log. Services call :func:`audit` inside their transaction, so an entry
exists exactly when the change it describes was committed; the client address and request id
come from the request being served (web/ops/request_context.py).

Exports are reads, outside any service transaction: views that export call
:func:`audit_export` once per export.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inbox.context import current
from inbox.exceptions import PermissionDenied
from inbox.models import Agent, AuditAction, AuditEntry
from inbox.permissions.access import visible_team_ids

COMMAND_LINE = "manage.py"


def _label(actor: Agent | None, user: AbstractBaseUser | None) -> str:
    if user is not None:
        return user.get_username()
    if actor is not None:
        return actor.user.get_username()
    return COMMAND_LINE


def audit(
    action: AuditAction,
    *,
    actor: Agent | None,
    object_type: str,
    object_id: object = "",
    team_id: int | None,
    details: dict[str, Any] | None = None,
    user: AbstractBaseUser | None = None,
) -> AuditEntry:
    info = current()
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=_label(actor, user),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        team_id=team_id,
        details=details or {},
        ip=info.ip,
        request_id=info.request_id,
        created_at=timezone.now(),
    )


def audit_export(
    *,
    user: AbstractBaseUser,
    what: str,
    team_id: int | None,
    rows: int,
    filters: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record that ``user`` exported ``rows`` rows of ``what`` (e.g. "response_intervals.csv")
    of one team (or of several: ``team_id=None`` and the ids in ``filters``)."""
    actor = Agent.objects.filter(user=user).first()
    return audit(
        AuditAction.EXPORT,
        actor=actor,
        user=user,
        object_type="export",
        object_id=what,
        team_id=team_id,
        details={"rows": rows, "filters": filters or {}},
    )


def audit_entry_list(
    *,
    user: AbstractBaseUser,
    team_id: int | None = None,
    action: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """Newest first. Managers read their own teams' entries; admins read every entry,
    including those of no team."""
    if not user.has_perm("inbox.view_auditentry"):
        raise PermissionDenied(_("Only managers and admins can read the audit log."))
    entries = AuditEntry.objects.select_related("actor")
    teams = visible_team_ids(user)
    if teams is not None:
        entries = entries.filter(team_id__in=teams)
    if team_id is not None:
        entries = entries.filter(team_id=team_id)
    if action:
        entries = entries.filter(action=action)
    if before_id is not None:
        entries = entries.filter(pk__lt=before_id)
    return list(entries.order_by("-pk")[:limit])
