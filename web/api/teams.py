"""Teams: listed for managers and admins, created and renamed by admins."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from inbox.models import Team
from inbox.selectors.people import team_admin_list
from inbox.services.teams import team_create, team_rename
from web.api import serializers as s
from web.api.fields import TextField
from web.api.people import PeopleApi

ERRORS = {400: s.ErrorResponse, 403: s.ErrorResponse, 404: s.ErrorResponse}


class TeamOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    agent_count = serializers.IntegerField()


class TeamRequest(serializers.Serializer):
    name = TextField(max_length=200)


def team_out(team: Team, agent_count: int | None = None) -> dict[str, Any]:
    count = getattr(team, "agent_count", None) if agent_count is None else agent_count
    return {"id": team.pk, "name": team.name, "agent_count": count or 0}


def _name(request: Request) -> str:
    body = TeamRequest(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data["name"]


class TeamListApi(PeopleApi):
    @extend_schema(
        responses={200: TeamOut(many=True), **ERRORS},
        summary="Every team with its number of people (managers and admins)",
    )
    def get(self, request: Request) -> Response:
        return Response([team_out(t) for t in team_admin_list(user=request.user)])

    @extend_schema(
        request=TeamRequest,
        responses={201: TeamOut, **ERRORS},
        summary="Create a team (admins); names are unique, whatever their case",
    )
    def post(self, request: Request) -> Response:
        team = team_create(user=request.user, name=_name(request))
        return Response(team_out(team, 0), status=201)


class TeamDetailApi(PeopleApi):
    @extend_schema(
        request=TeamRequest, responses={200: TeamOut, **ERRORS}, summary="Rename a team (admins)"
    )
    def patch(self, request: Request, team_id: int) -> Response:
        team = team_rename(user=request.user, team_id=team_id, name=_name(request))
        return Response(team_out(team, team.agents.count()))
