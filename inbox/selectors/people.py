"""Reads of people, teams and invitations for their administration. Admins read everything;
a manager reads the people, invitations and teams of their own teams (another team's person
is not found, as everywhere else)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inbox.exceptions import NotFound
from inbox.models import Agent, Invitation, Team
from inbox.permissions.access import visible_team_ids
from inbox.permissions.people import require_view_people
from inbox.permissions.roles import Role
from inbox.stored_text import Text


@dataclass(frozen=True, slots=True)
class PersonRow:
    agent_id: int
    user_id: int
    username: str
    email: str
    public_name: str
    initials: str
    language: str
    is_active: bool
    is_superuser: bool
    roles: list[str]
    team_ids: list[int]
    team_names: list[str]
    version: int


def _row(agent: Agent) -> PersonRow:
    user = agent.user
    names = {group.name for group in user.groups.all()}
    teams = list(agent.teams.all())
    return PersonRow(
        agent_id=agent.pk, user_id=user.pk, username=user.get_username(), email=user.email,
        public_name=agent.public_name, initials=agent.initials, language=agent.language,
        is_active=user.is_active, is_superuser=user.is_superuser,
        roles=[role.value for role in Role if role.value in names],
        team_ids=[t.pk for t in teams], team_names=[t.name for t in teams],
        version=agent.version,
    )  # fmt: skip


def _people(user: AbstractBaseUser) -> object:
    require_view_people(user)
    agents = Agent.objects.select_related("user").prefetch_related(
        "user__groups", Prefetch("teams", queryset=Team.objects.order_by("name"))
    )
    team_ids = visible_team_ids(user)
    if team_ids is not None:
        agents = agents.filter(pk__in=Agent.objects.filter(teams__in=team_ids).values("pk"))
    return agents


def people_list(*, user: AbstractBaseUser) -> list[PersonRow]:
    """Everyone with an agent profile (a manager: of their teams), active or not, by name."""
    return [_row(a) for a in _people(user).order_by("public_name", "id")]  # type: ignore[attr-defined]


def person_detail(*, user: AbstractBaseUser, agent_id: int) -> PersonRow:
    agent = _people(user).filter(pk=agent_id).first()  # type: ignore[attr-defined]
    if agent is None:
        raise NotFound(Text(_("Person %(agent_id)s was not found."), agent_id=agent_id))
    return _row(agent)


def invitation_pending_list(*, user: AbstractBaseUser) -> list[Invitation]:
    """Invitations neither accepted nor revoked, newest first; expired ones too (to resend)."""
    require_view_people(user)
    invitations = Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True)
    team_ids = visible_team_ids(user)
    if team_ids is not None:
        invitations = invitations.filter(
            pk__in=Invitation.objects.filter(teams__in=team_ids).values("pk")
        )
    return list(invitations.select_related("invited_by").prefetch_related("teams").order_by("-id"))


def invitation_is_expired(invitation: Invitation) -> bool:
    return invitation.expires_at <= timezone.now()


def team_admin_list(*, user: AbstractBaseUser) -> list[Team]:
    """Every team by name, each with ``agent_count``."""
    require_view_people(user)
    teams = Team.objects.annotate(agent_count=Count("agents"))
    team_ids = visible_team_ids(user)
    if team_ids is not None:
        teams = teams.filter(pk__in=team_ids)
    return list(teams.order_by("name"))
