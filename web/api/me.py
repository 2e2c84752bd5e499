from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox.events.snapshots import agent_snapshot
from inbox.permissions.roles import role_of
from inbox.selectors.agents import agent_get
from web.api import serializers as s


class MeApi(APIView):
    @extend_schema(responses={200: s.MeResponse}, summary="Who you are, your role and teams")
    def get(self, request: Request) -> Response:
        user = request.user
        agent = agent_get(user=user)  # every API user has one (web/agent_profile.py)
        role = role_of(user)
        return Response(
            {
                "id": user.pk,
                "username": user.get_username(),
                "role": role.value if role else None,
                "agent": agent_snapshot(agent),
                "teams": [{"id": t.pk, "name": t.name} for t in agent.teams.all()],
                "signatures": agent.signatures,
                "permissions": sorted(user.get_all_permissions()),
            }
        )
