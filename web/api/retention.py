"""Retention policies (admins set them, managers read them) and legal hold (managers)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox.models import RetentionAction
from inbox.permissions.access import access_conversation
from inbox.permissions.guidelines import access_team
from inbox.permissions.people import require_view_people
from inbox.retention import services
from inbox.retention.selectors import retention_settings
from web.api import serializers as s
from web.api.conversations import parse_body
from web.api.fields import TrueFalseField

ERRORS = {400: s.ErrorResponse, 403: s.ErrorResponse, 404: s.ErrorResponse}


class PolicyIn(serializers.Serializer):
    days = serializers.IntegerField(
        min_value=1, max_value=services.MAX_DAYS, help_text="Days after resolution; 0 is refused"
    )
    action = serializers.ChoiceField(choices=RetentionAction.values)


class PolicyOut(serializers.Serializer):
    days = serializers.IntegerField()
    action = serializers.ChoiceField(choices=RetentionAction.values)


class AccountPolicyOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    platform = serializers.CharField()
    own = PolicyOut(allow_null=True, help_text="The account's own policy (overrides the team's)")
    in_force = PolicyOut(allow_null=True)


class PolicyDryRunOut(serializers.Serializer):
    account = serializers.IntegerField(
        allow_null=True, help_text="The account whose own policy this is; null: the team's"
    )
    name = serializers.CharField(allow_null=True, help_text="The account's name")
    days = serializers.IntegerField()
    action = serializers.ChoiceField(choices=RetentionAction.values)
    conversations = serializers.IntegerField()
    messages = serializers.IntegerField()
    notes = serializers.IntegerField()
    media_files = serializers.IntegerField(
        help_text="Stored files that would be removed: media, thumbnails, reply attachments"
    )
    media_bytes = serializers.IntegerField(
        help_text="Their recorded sizes (a thumbnail's size is not recorded)"
    )


class DryRunOut(serializers.Serializer):
    conversations = serializers.IntegerField()
    messages = serializers.IntegerField()
    notes = serializers.IntegerField()
    media_files = serializers.IntegerField()
    media_bytes = serializers.IntegerField()
    contacts = serializers.IntegerField()
    held = serializers.IntegerField()
    policies = PolicyDryRunOut(many=True, help_text="The same counts per policy in force")


class RetentionOut(serializers.Serializer):
    team = PolicyOut(allow_null=True)
    accounts = AccountPolicyOut(many=True)
    dry_run = DryRunOut(help_text="What the job would delete or anonymise now")


class LegalHoldIn(serializers.Serializer):
    held = TrueFalseField()


class LegalHoldOut(serializers.Serializer):
    held = serializers.BooleanField()


class TeamRetentionApi(APIView):
    @extend_schema(responses={200: RetentionOut, **ERRORS}, summary="Retention and a dry run")
    def get(self, request: Request, team_id: int) -> Response:
        access_team(request.user, team_id)
        require_view_people(request.user)
        return Response(retention_settings(team_id))

    @extend_schema(
        request=PolicyIn, responses={200: RetentionOut, **ERRORS},
        summary="Set the team's retention policy (admins)",
    )  # fmt: skip
    def put(self, request: Request, team_id: int) -> Response:
        access_team(request.user, team_id)
        services.check_may_set_retention(request.user)
        data = parse_body(PolicyIn, request.data)
        services.retention_policy_set(user=request.user, team_id=team_id, account_id=None, **data)
        return Response(retention_settings(team_id))


class AccountRetentionApi(APIView):
    @extend_schema(
        request=PolicyIn, responses={200: RetentionOut, **ERRORS},
        summary="Set one account's retention policy, overriding the team's (admins)",
    )  # fmt: skip
    def put(self, request: Request, team_id: int, account_id: int) -> Response:
        access_team(request.user, team_id)
        services.check_may_set_retention(request.user)
        services.team_account(team_id, account_id)
        data = parse_body(PolicyIn, request.data)
        services.retention_policy_set(
            user=request.user, team_id=team_id, account_id=account_id, **data
        )
        return Response(retention_settings(team_id))

    @extend_schema(
        request=None, responses={200: RetentionOut, **ERRORS},
        summary="Remove the account's own policy: the team's applies (admins)",
    )  # fmt: skip
    def delete(self, request: Request, team_id: int, account_id: int) -> Response:
        access_team(request.user, team_id)
        services.check_may_set_retention(request.user)
        services.team_account(team_id, account_id)
        services.retention_policy_clear(user=request.user, team_id=team_id, account_id=account_id)
        return Response(retention_settings(team_id))


class LegalHoldApi(APIView):
    @extend_schema(
        request=LegalHoldIn, responses={200: LegalHoldOut, **ERRORS},
        summary="Put a conversation on legal hold or release it (managers)",
    )  # fmt: skip
    def put(self, request: Request, conversation_id: int) -> Response:
        access_conversation(request.user, conversation_id)  # another team's: not found
        data = parse_body(LegalHoldIn, request.data)
        held = services.legal_hold_set(
            user=request.user, conversation_id=conversation_id, held=data["held"]
        )
        return Response({"held": held})
