"""People: an administrator sets a person's roles, teams, public name and initials, and
deactivates or reactivates them; a superuser made with ``createsuperuser`` gets an agent
profile.

Every change here first locks the admin role's group row, then the person's: changes that
could leave Svar without an active admin run one at a time, so two admins demoting each other
at once cannot both succeed. ``Agent.version`` refuses an edit made from an older snapshot
(StaleVersion) when the client sends the version it saw.

Deactivating keeps the agent row: past replies reference it (``Message.author_agent``) and
carry their signature as sent, so they keep the name. The person's sessions, API tokens and
open WebSockets end at once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, Group, User
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inbox.audit import audit
from inbox.exceptions import InvalidInput, PermissionDenied, StaleVersion
from inbox.models import Agent, AuditAction
from inbox.permissions.people import actor_managing_people
from inbox.permissions.roles import Role, role_names_of, roles_parse, roles_set
from inbox.services import person_fields as fields
from inbox.services.locks import lock_agent
from inbox.services.sign_out import sign_out_everywhere, websockets_resubscribe
from inbox.stored_text import Text

LAST_ADMIN = "Svar needs at least one active admin; make someone else an admin first."


def _lock_admins() -> None:
    Group.objects.select_for_update(no_key=True).filter(name=Role.ADMIN.value).first()


def _refuse_no_admin_left() -> None:
    admins = User.objects.filter(is_active=True).filter(
        Q(is_superuser=True) | Q(groups__name=Role.ADMIN.value)
    )
    if not admins.exists():
        raise InvalidInput(LAST_ADMIN, field="roles")


def _check_version(agent: Agent, version: int | None) -> None:
    if version is not None and version != agent.version:
        raise StaleVersion(
            Text(
                _(
                    "%(public_name)s was changed meanwhile (you saw version %(version)s, it"
                    " is now %(current)s). Reload and try again."
                ),
                public_name=agent.public_name,
                version=version,
                current=agent.version,
            ),
            current_version=agent.version,
        )


def _begin(
    user: AbstractBaseUser, agent_id: int, version: int | None
) -> tuple[Agent | None, Agent]:
    actor = actor_managing_people(user)
    _lock_admins()
    agent = lock_agent(agent_id)
    _check_version(agent, version)
    return actor, agent


def _finish(agent: Agent, fields_changed: list[str]) -> None:
    agent.version += 1
    agent.save(update_fields=[*fields_changed, "version"])


def _apply_access(
    agent: Agent, roles: list[str] | None, team_ids: list[Any] | None
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if roles is not None:
        before, wanted = role_names_of(agent.user), [r.value for r in roles_parse(roles)]
        if before != wanted:
            roles_set(agent.user, roles_parse(wanted))
            changes["roles"] = [before, wanted]
    if team_ids is not None:
        before_ids = sorted(agent.teams.values_list("pk", flat=True))
        teams = fields.teams_named(team_ids)
        if before_ids != sorted(t.pk for t in teams):
            agent.teams.set(teams)
            changes["team_ids"] = [before_ids, sorted(t.pk for t in teams)]
    return changes


@transaction.atomic(durable=True)
def person_update(
    *,
    user: AbstractBaseUser,
    agent_id: int,
    roles: list[str] | None = None,
    team_ids: list[Any] | None = None,
    public_name: str | None = None,
    initials: str | None = None,
    version: int | None = None,
) -> Agent:
    """Change what is given (None: unchanged)."""
    actor, agent = _begin(user, agent_id, version)
    changes = _apply_access(agent, roles, team_ids)
    names = {"public_name": public_name, "initials": initials}
    cleaners = {"public_name": fields.clean_public_name, "initials": fields.clean_initials}
    for field, value in names.items():
        if value is not None and (new := cleaners[field](value)) != getattr(agent, field):
            changes[field] = [getattr(agent, field), new]
            setattr(agent, field, new)
    if not changes:
        return agent
    _refuse_no_admin_left()
    _finish(agent, [f for f in names if f in changes])
    if "roles" in changes or "team_ids" in changes:
        websockets_resubscribe(agent_id=agent.pk)
    audit(
        AuditAction.PERSON_CHANGED, actor=actor, user=user, object_type="person",
        object_id=agent.pk, team_id=None, details={"changes": changes},
    )  # fmt: skip
    return agent


@transaction.atomic(durable=True)
def person_deactivate(
    *, user: AbstractBaseUser, agent_id: int, version: int | None = None
) -> Agent:
    """The person can no longer sign in; every session, API token and WebSocket ends now."""
    actor, agent = _begin(user, agent_id, version)
    if agent.user.is_active:
        agent.user.is_active = False
        agent.user.save(update_fields=["is_active"])
        _refuse_no_admin_left()
        sign_out_everywhere(agent.user, agent_id=agent.pk)
        _finish(agent, [])
        audit(
            AuditAction.PERSON_DEACTIVATED, actor=actor, user=user, object_type="person",
            object_id=agent.pk, team_id=None, details={"username": agent.user.get_username()},
        )  # fmt: skip
    return agent


@transaction.atomic(durable=True)
def person_reactivate(
    *, user: AbstractBaseUser, agent_id: int, version: int | None = None
) -> Agent:
    """They sign in again with their password; old API tokens stay deleted."""
    actor, agent = _begin(user, agent_id, version)
    if not agent.user.is_active:
        agent.user.is_active = True
        agent.user.save(update_fields=["is_active"])
        _finish(agent, [])
        audit(
            AuditAction.PERSON_REACTIVATED, actor=actor, user=user, object_type="person",
            object_id=agent.pk, team_id=None, details={"username": agent.user.get_username()},
        )  # fmt: skip
    return agent


@transaction.atomic(durable=True)
def agent_profile_ensure_for_superuser(
    *, user: AbstractBaseUser, public_name: str, initials: str, language: str = ""
) -> Agent:
    """The first admin's own profile (a superuser from ``createsuperuser`` has none): made
    once, with the admin role; a second call returns the existing profile unchanged."""
    if not (user.is_active and user.is_superuser):
        raise PermissionDenied(_("Only a superuser without an agent profile can make one here."))
    User.objects.select_for_update(no_key=True).filter(pk=user.pk).first()
    existing = Agent.objects.filter(user=user).first()
    if existing is not None:
        return existing
    agent = Agent.objects.create(
        user=user, public_name=fields.clean_public_name(public_name),
        initials=fields.clean_initials(initials), language=fields.clean_language(language),
    )  # fmt: skip
    roles_set(user, roles_parse([*role_names_of(user), Role.ADMIN.value]))
    audit(
        AuditAction.PROFILE_CREATED, actor=agent, user=user, object_type="person",
        object_id=agent.pk, team_id=None, details={"public_name": agent.public_name},
    )  # fmt: skip
    return agent
