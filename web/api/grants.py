"""Withdrawing a mentioned colleague's access to one conversation (issue #17)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox.services.grants import conversation_grant_revoke
from web.api import serializers as s

ERRORS = {403: s.ErrorResponse, 404: s.ErrorResponse}


class ConversationGrantApi(APIView):
    @extend_schema(
        request=None,
        responses={204: None, **ERRORS},
        summary="Withdraw a mentioned colleague's access (a manager, or who gave it)",
    )
    def delete(self, request: Request, conversation_id: int, agent_id: int) -> Response:
        conversation_grant_revoke(
            user=request.user, conversation_id=conversation_id, agent_id=agent_id
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
