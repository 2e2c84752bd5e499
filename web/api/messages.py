"""Actions on one message: retrying a reply the platform did not take."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox.events.snapshots import message_snapshot
from inbox.services.delivery import reply_retry
from web.api import serializers as s


class ReplyRetryApi(APIView):
    @extend_schema(
        request=None,
        responses={200: s.MessageOut, 404: s.ErrorResponse, 409: s.ErrorResponse},
        summary="Send a failed reply again",
    )
    def post(self, request: Request, message_id: int) -> Response:
        return Response(message_snapshot(reply_retry(user=request.user, message_id=message_id)))
