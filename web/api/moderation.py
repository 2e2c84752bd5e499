"""Moderating one public comment: hide, unhide or delete it, and read where it stands."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox.events.snapshots import agent_snapshot, moderation_snapshot
from inbox.models import AutoModerationRule
from inbox.selectors.moderation import auto_moderation_get, moderation_get, standing_snapshot
from inbox.services.auto_moderation import auto_moderation_set
from inbox.services.moderation import message_moderate
from inbox.services.private_replies import private_reply_create
from web.api import serializers as s
from web.api.conversations import parse_body
from web.api.fields import TextField, TrueFalseField


class ModerationRequest(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["hide", "unhide", "delete"])


class ModerationOut(serializers.Serializer):
    id = serializers.IntegerField()
    message_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["hide", "unhide", "delete"])
    state = serializers.ChoiceField(choices=["queued", "sending", "done", "failed"])
    reason = serializers.ChoiceField(choices=["manual", "personal_number", "word_list"])
    requested_by = s.AgentRef(allow_null=True)
    platform_error = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class ModerationStandingOut(serializers.Serializer):
    message_id = serializers.IntegerField()
    hidden = serializers.BooleanField()
    deleted = serializers.BooleanField()
    last_done = ModerationOut(allow_null=True)
    pending = ModerationOut(allow_null=True)
    last_failed = ModerationOut(allow_null=True)


class MessageModerationApi(APIView):
    @extend_schema(
        responses={200: ModerationStandingOut, 404: s.ErrorResponse},
        summary="Whether a public comment is hidden or deleted, and by whom",
    )
    def get(self, request: Request, message_id: int) -> Response:
        standing = moderation_get(user=request.user, message_id=message_id)
        return Response(standing_snapshot(message_id, standing))

    @extend_schema(
        request=ModerationRequest,
        responses={
            202: ModerationOut,
            400: s.ErrorResponse,
            403: s.ErrorResponse,
            404: s.ErrorResponse,
            409: s.ErrorResponse,
        },
        summary="Hide, unhide or delete a customer's public comment on the platform",
        description=(
            "Queued and applied on the platform by a worker, exactly once; the team sees "
            "``message.moderation_changed`` events as it moves. Agents may hide and unhide; "
            "only managers and admins may delete (not possible on X)."
        ),
    )
    def post(self, request: Request, message_id: int) -> Response:
        # The service checks the kind after access: another team's message answers 404 first.
        kind = request.data.get("kind") if isinstance(request.data, dict) else None
        action = message_moderate(user=request.user, message_id=message_id, kind=kind)
        return Response(moderation_snapshot(action), status=status.HTTP_202_ACCEPTED)


class AutoModerationBody(serializers.Serializer):
    hide_national_ids = TrueFalseField()
    # Whitespace-only words reach the service, which drops them (the page's form sends them).
    hide_words = serializers.ListField(child=TextField(max_length=100, trim_whitespace=False))


class AutoModerationOut(AutoModerationBody):
    account_id = serializers.IntegerField()
    updated_by = s.AgentRef(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)


def _rule_body(rule: AutoModerationRule) -> dict[str, Any]:
    return {
        "account_id": rule.account_id,
        "hide_national_ids": rule.hide_national_ids,
        "hide_words": list(rule.hide_words),
        "updated_by": agent_snapshot(rule.updated_by) if rule.updated_by_id else None,
        "updated_at": rule.updated_at.isoformat() if rule.updated_at else None,
    }


class AutoModerationApi(APIView):
    @extend_schema(
        responses={200: AutoModerationOut, 404: s.ErrorResponse},
        summary="What the account hides automatically",
    )
    def get(self, request: Request, account_id: int) -> Response:
        return Response(_rule_body(auto_moderation_get(user=request.user, account_id=account_id)))

    @extend_schema(
        request=AutoModerationBody,
        responses={
            200: AutoModerationOut,
            400: s.ErrorResponse,
            403: s.ErrorResponse,
            404: s.ErrorResponse,
        },  # fmt: skip
        summary="Set what the account hides automatically (managers and admins; audited)",
    )
    def put(self, request: Request, account_id: int) -> Response:
        # Access before the body: another team's account answers 404 whatever was sent.
        auto_moderation_get(user=request.user, account_id=account_id)
        data = parse_body(AutoModerationBody, request.data)
        rule = auto_moderation_set(
            user=request.user,
            account_id=account_id,
            hide_national_ids=data["hide_national_ids"],
            hide_words=data["hide_words"],
        )
        return Response(_rule_body(rule))


class PrivateReplyBody(serializers.Serializer):
    text = serializers.CharField(max_length=2000)


class PrivateReplyOut(serializers.Serializer):
    id = serializers.IntegerField()
    message_id = serializers.IntegerField()
    text = serializers.CharField()
    state = serializers.ChoiceField(choices=["queued", "sending", "sent", "failed"])
    error = serializers.CharField(allow_blank=True)


class PrivateReplyApi(APIView):
    @extend_schema(
        request=PrivateReplyBody,
        responses={
            201: PrivateReplyOut,
            400: s.ErrorResponse,
            404: s.ErrorResponse,
            409: s.ErrorResponse,
        },  # fmt: skip
        summary="Write privately to a public comment's author (Messenger private reply; X DM)",
        description="One per comment. Delivered by a worker exactly once; the team sees "
        "``message.private_reply_changed`` events.",
    )
    def post(self, request: Request, message_id: int) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        reply = private_reply_create(
            user=request.user, message_id=message_id, text=data.get("text")
        )
        body = {"id": reply.pk, "message_id": reply.message_id, "text": reply.text,
                "state": reply.state, "error": reply.error}  # fmt: skip
        return Response(body, status=status.HTTP_201_CREATED)
