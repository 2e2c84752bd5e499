"""Reads of teams."""

from __future__ import annotations

from inbox.models import Team


def team_list(*, team_ids: list[int] | None) -> list[Team]:
    """The given teams (None: every team) by name, with each one's event log head."""
    teams = Team.objects.all() if team_ids is None else Team.objects.filter(id__in=team_ids)
    return list(teams.order_by("name").only("id", "name", "event_seq"))
