"""Reads of agents."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import prefetch_related_objects

from inbox.models import Agent
from inbox.permissions.access import agent_of


def agent_get(*, user: AbstractBaseUser) -> Agent:
    """The user's agent profile with its teams; PermissionDenied when the user has none."""
    agent = agent_of(user)  # the profile the request has already read, if it has
    prefetch_related_objects([agent], "teams")
    return agent


def agent_list(*, team_id: int) -> list[Agent]:
    """The agents of a team: whom its conversations can be assigned or handed over to."""
    return list(Agent.objects.filter(teams=team_id).order_by("public_name", "id"))


def agent_get_by_id(*, agent_id: int) -> Agent | None:
    return Agent.objects.filter(pk=agent_id).first()


def agent_is_in_team(*, agent: Agent, team_id: int) -> bool:
    return agent.teams.filter(pk=team_id).exists()


def agent_list_of_teams(*, team_ids: list[int]) -> list[Agent]:
    """Every agent in any of the teams, by public name (the metrics filter form)."""
    return list(Agent.objects.filter(teams__in=team_ids).distinct().order_by("public_name"))
