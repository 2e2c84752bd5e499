"""The notification centre and mentions (issue #17): parse, call a selector or service,
serialise."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox.models import NotificationKind
from inbox.params import id_param, text_param
from inbox.permissions.access import agent_of
from inbox.selectors.mentions import mention_candidates
from inbox.selectors.notifications import notification_muted_kinds, notification_page
from inbox.services.notifications import notification_kinds_mute, notifications_mark_read
from web.api import serializers as s
from web.api.conversations import parse_body
from web.api.fields import TrueFalseField

NOTIFICATION = inline_serializer(
    "Notification",
    {
        "seq": serializers.IntegerField(),
        "kind": serializers.ChoiceField(choices=NotificationKind.choices),
        "conversation_id": serializers.IntegerField(allow_null=True),
        "actor": s.AgentRef(allow_null=True),
        "created_at": serializers.DateTimeField(),
        "read": serializers.BooleanField(),
    },
)
PAGE = inline_serializer(
    "NotificationPage",
    {
        "results": serializers.ListField(child=NOTIFICATION),
        "next_before": serializers.IntegerField(allow_null=True),
        "unread": serializers.IntegerField(),
        "head_seq": serializers.IntegerField(),
    },
)


class ReadRequest(serializers.Serializer):
    seqs = serializers.ListField(
        child=serializers.IntegerField(min_value=1), max_length=500, required=False
    )
    read = TrueFalseField(default=True)


class SettingsRequest(serializers.Serializer):
    muted = serializers.ListField(
        child=serializers.ChoiceField(choices=NotificationKind.choices), max_length=10
    )


class NotificationListApi(APIView):
    @extend_schema(responses={200: PAGE}, summary="Your notifications, newest first (keyset)")
    def get(self, request: Request) -> Response:
        page = notification_page(user=request.user, before=id_param(request.query_params, "before"))
        return Response(
            {
                "results": page.items,
                "next_before": page.next_before,
                "unread": page.unread,
                "head_seq": page.head,
            }
        )


class NotificationReadApi(APIView):
    @extend_schema(
        request=ReadRequest,
        responses={
            200: inline_serializer("Marked", {"changed": serializers.IntegerField()}),
            400: s.ErrorResponse,
        },
        summary="Mark notifications read (all without seqs), or unread with read=false",
    )
    def post(self, request: Request) -> Response:
        body = parse_body(ReadRequest, request.data)
        changed = notifications_mark_read(
            user=request.user, seqs=body.get("seqs"), read=body["read"]
        )
        return Response({"changed": changed})


class NotificationSettingsApi(APIView):
    @extend_schema(responses={200: SettingsRequest}, summary="The kinds you switched off")
    def get(self, request: Request) -> Response:
        return Response({"muted": notification_muted_kinds(agent_id=agent_of(request.user).pk)})

    @extend_schema(request=SettingsRequest, responses={200: SettingsRequest, 400: s.ErrorResponse})
    def put(self, request: Request) -> Response:
        body = parse_body(SettingsRequest, request.data)
        return Response({"muted": notification_kinds_mute(user=request.user, muted=body["muted"])})


class MentionCandidatesApi(APIView):
    @extend_schema(
        responses={
            200: inline_serializer(
                "MentionCandidate",
                {
                    "id": serializers.IntegerField(),
                    "username": serializers.CharField(),
                    "public_name": serializers.CharField(),
                    "initials": serializers.CharField(),
                    "teams": serializers.ListField(child=serializers.CharField()),
                    "in_team": serializers.BooleanField(),
                },
                many=True,
            ),
            404: s.ErrorResponse,
        },
        summary="Colleagues to mention in a note: user name or name starting with q",
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        query = text_param(request.query_params, "q", max_length=80) or ""
        return Response(
            mention_candidates(user=request.user, conversation_id=conversation_id, query=query)
        )
