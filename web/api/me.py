from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox.events import agent_snapshot
from inbox.models import Agent
from inbox.permissions.roles import role_of
from web.api import serializers as s


class MeApi(APIView):
    @extend_schema(responses={200: s.MeResponse}, summary="Who you are, your role and teams")
    def get(self, request: Request) -> Response:
        user = request.user
        agent = Agent.objects.filter(user=user).prefetch_related("teams").first()
        role = role_of(user)
        return Response(
            {
                "id": user.pk,
                "username": user.get_username(),
                "role": role.value if role else None,
                "agent": agent_snapshot(agent),
                "teams": [{"id": t.pk, "name": t.name} for t in agent.teams.all()] if agent else [],
                "signatures": agent.signatures if agent else {},
                "permissions": sorted(user.get_all_permissions()),
            }
        )
