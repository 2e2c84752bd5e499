"""Four-eyes approval: the queue approvers see, their decisions, and the author's revisions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox.events.kinds import approval_snapshot
from inbox.events.snapshots import message_snapshot
from inbox.models import Message
from inbox.permissions.guidelines import approver_of
from inbox.selectors.approvals import reply_approval_list_pending
from inbox.services import approval as services
from web.api import serializers as s
from web.api.conversations import parse_body
from web.api.fields import TextField, VisibleTextField, WholeNumberField

ERRORS = {400: s.ErrorResponse, 403: s.ErrorResponse, 404: s.ErrorResponse, 409: s.ErrorResponse}
QUEUE_MAX = 200


class ApprovalOut(serializers.Serializer):
    state = serializers.ChoiceField(choices=["pending", "approved", "sent_back"])
    revision = serializers.IntegerField(help_text="Send it back with a decision")
    reasons = serializers.ListField(child=serializers.DictField())
    author_id = serializers.IntegerField()
    requested_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decided_by = s.AgentRef(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    edited = serializers.BooleanField()


class ApprovalItem(serializers.Serializer):
    conversation_id = serializers.IntegerField()
    message = s.MessageOut()
    approval = ApprovalOut()


class ApprovalQueue(serializers.Serializer):
    results = ApprovalItem(many=True)


class ApproveIn(serializers.Serializer):
    revision = WholeNumberField(min_value=1)
    body = VisibleTextField(
        required=False, trim_whitespace=False, max_length=100_000, help_text="Edit before approving"
    )


class SendBackIn(serializers.Serializer):
    revision = WholeNumberField(min_value=1)
    note = TextField(max_length=2000)


class ReviseIn(serializers.Serializer):
    revision = WholeNumberField(min_value=1)
    body = VisibleTextField(trim_whitespace=False, max_length=100_000)


def item(message: Message) -> dict[str, Any]:
    return {
        "conversation_id": message.conversation_id,
        "message": message_snapshot(message),
        "approval": approval_snapshot(message.approval),
    }


class ApprovalQueueApi(APIView):
    @extend_schema(
        responses={200: ApprovalQueue, 403: s.ErrorResponse},
        summary="Replies waiting for approval in your teams, longest wait first (approvers)",
    )
    def get(self, request: Request) -> Response:
        approver_of(request.user)
        pending = reply_approval_list_pending(user=request.user, limit=QUEUE_MAX)
        return Response({"results": [item(a.message) for a in pending]})


class ReplyApproveApi(APIView):
    @extend_schema(
        request=ApproveIn,
        responses={200: ApprovalItem, **ERRORS},
        summary="Approve a reply, as written or edited (still signed by its author)",
    )
    def post(self, request: Request, message_id: int) -> Response:
        data = parse_body(ApproveIn, request.data)
        message = services.reply_approve(user=request.user, message_id=message_id, **data)
        return Response(item(message))


class ReplySendBackApi(APIView):
    @extend_schema(
        request=SendBackIn,
        responses={200: ApprovalItem, **ERRORS},
        summary="Send a reply back to its author with a note; nothing is posted",
    )
    def post(self, request: Request, message_id: int) -> Response:
        data = parse_body(SendBackIn, request.data)
        message = services.reply_send_back(user=request.user, message_id=message_id, **data)
        return Response(item(message))


class ReplyReviseApi(APIView):
    @extend_schema(
        request=ReviseIn,
        responses={200: ApprovalItem, **ERRORS},
        summary="Change your reply while it waits (or after it was sent back); it waits again",
    )
    def post(self, request: Request, message_id: int) -> Response:
        data = parse_body(ReviseIn, request.data)
        message = services.reply_revise(user=request.user, message_id=message_id, **data)
        return Response(item(message))
