"""A team's automatic assignment (issue #17): read and changed by its managers and admins."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox.models import AssignmentStrategy, TeamAssignment
from inbox.services.team_assignment import (
    CAPACITY_MAX,
    RELEASE_MINUTES_MAX,
    team_assignment_get,
    team_assignment_set,
)
from web.api import serializers as s
from web.api.conversations import parse_body
from web.api.fields import TrueFalseField

ERRORS = {400: s.ErrorResponse, 403: s.ErrorResponse, 404: s.ErrorResponse}


class TeamAssignmentBody(serializers.Serializer):
    enabled = TrueFalseField()
    strategy = serializers.ChoiceField(choices=AssignmentStrategy.values)
    capacity = serializers.IntegerField(min_value=1, max_value=CAPACITY_MAX)
    offline_release_minutes = serializers.IntegerField(min_value=1, max_value=RELEASE_MINUTES_MAX)


class TeamAssignmentOut(TeamAssignmentBody):
    team_id = serializers.IntegerField()


def assignment_out(settings: TeamAssignment) -> dict[str, Any]:
    return {
        "team_id": settings.team_id,
        "enabled": settings.enabled,
        "strategy": settings.strategy,
        "capacity": settings.capacity,
        "offline_release_minutes": settings.offline_release_minutes,
    }


class TeamAssignmentApi(APIView):
    @extend_schema(
        responses={200: TeamAssignmentOut, **ERRORS},
        summary="The team's automatic assignment (managers of the team, admins)",
    )
    def get(self, request: Request, team_id: int) -> Response:
        return Response(assignment_out(team_assignment_get(user=request.user, team_id=team_id)))

    @extend_schema(
        request=TeamAssignmentBody,
        responses={200: TeamAssignmentOut, **ERRORS},
        summary="Turn automatic assignment on or off and set its strategy, capacity and release",
    )
    def put(self, request: Request, team_id: int) -> Response:
        body = parse_body(TeamAssignmentBody, request.data)
        settings = team_assignment_set(user=request.user, team_id=team_id, **body)
        return Response(assignment_out(settings))
