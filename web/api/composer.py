"""What the composer needs: the reply as it will be posted, and the handover to a colleague."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox.composer.personal_data import find_personal_data
from inbox.events.snapshots import message_snapshot, snapshots_for
from inbox.permissions.access import access_conversation, agent_of
from inbox.selectors.guidelines import reply_verdict
from inbox.services import reply_preview
from inbox.services.handover import conversation_handover
from web.api import serializers as s
from web.api.conversations import ConversationActionApi, action_schema, parse_body
from web.api.fields import TextField, WholeNumberField


class PreviewRequest(serializers.Serializer):
    body = TextField(allow_blank=True, trim_whitespace=False, max_length=100_000)


class FindingOut(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["cpr", "personnummer", "fodselsnummer", "email", "phone"]
    )
    national_id = serializers.BooleanField()
    start = serializers.IntegerField(help_text="Offset in `text` (and in `body`)")
    end = serializers.IntegerField()


class MatchOut(serializers.Serializer):
    text = serializers.CharField()
    start = serializers.IntegerField(help_text="Offset in `body` (and in `text`)")
    end = serializers.IntegerField()


class HitOut(serializers.Serializer):
    rule_id = serializers.IntegerField(allow_null=True, help_text="None: the author's own flag")
    rule = serializers.CharField(help_text="The rule's name")
    kind = serializers.ChoiceField(
        choices=["personal_data", "words", "pattern", "links", "tag", "agent"]
    )
    action = serializers.ChoiceField(choices=["warn", "approval", "block"])
    matched = MatchOut(many=True)
    message = serializers.CharField(help_text="In the agent's language")


class VerdictOut(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=["none", "warn", "approval", "block"],
        help_text="What the reply service will do: post, post (with warnings), hold for "
        "approval, or refuse",
    )
    hits = HitOut(many=True)


class PreviewResponse(serializers.Serializer):
    body = serializers.CharField(allow_blank=True)
    signature = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_blank=True, help_text="Exactly what will be posted")
    length = serializers.IntegerField(help_text="As the platform counts it (X: weighted)")
    limit = serializers.IntegerField()
    fits = serializers.BooleanField()
    public = serializers.BooleanField()
    personal_data = FindingOut(many=True)
    guidelines = VerdictOut(help_text="The verdict the reply service gives this reply")


class ReplyPreviewApi(APIView):
    @extend_schema(
        request=PreviewRequest,
        responses={200: PreviewResponse, 400: s.ErrorResponse, 404: s.ErrorResponse},
        summary="The reply as the customer would see it, its length and any personal data",
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        data = parse_body(PreviewRequest, request.data)
        agent = agent_of(request.user)
        conversation = access_conversation(request.user, conversation_id)
        rendered = reply_preview(agent=agent, conversation=conversation, body=data["body"])
        findings = find_personal_data(rendered.body)
        verdict = reply_verdict(agent=agent, conversation=conversation, body=rendered.body)
        return Response(
            {
                "body": rendered.body,
                "signature": rendered.signature,
                "text": rendered.text,
                "length": rendered.length,
                "limit": rendered.limit,
                "fits": rendered.fits,
                "public": conversation.kind == "public",
                "personal_data": [
                    {
                        "kind": str(f.kind),
                        "national_id": f.is_national_id,
                        "start": f.start,
                        "end": f.end,
                    }
                    for f in findings
                ],
                "guidelines": verdict.as_dict(),
            }
        )


class HandoverRequest(s.VersionedRequest):
    assignee_id = WholeNumberField(min_value=1)
    note_to_customer = TextField(
        allow_blank=True, required=False, default="", trim_whitespace=False, max_length=100_000
    )


class HandoverResponse(serializers.Serializer):
    conversation = s.ConversationRow()
    message = s.MessageOut(allow_null=True)


@action_schema(
    HandoverRequest,
    HandoverResponse,
    "Hand over to a colleague, optionally telling the customer (signed by you)",
)
class ConversationHandoverApi(ConversationActionApi):
    body, service = HandoverRequest, staticmethod(conversation_handover)

    def answer(self, result: Any) -> dict[str, Any]:
        conversation, message = result
        return {
            "conversation": snapshots_for([conversation])[conversation.pk],
            "message": message_snapshot(message) if message else None,
        }
