"""Channel accounts and their health; reconnecting one after its token was renewed."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox.events.snapshots import account_snapshot
from inbox.selectors.channel_accounts import channel_account_list
from inbox.services.accounts import account_reconnect
from web.api import serializers as s


class AccountOut(serializers.Serializer):
    id = serializers.IntegerField()
    platform = serializers.CharField()
    display_name = serializers.CharField()
    handle = serializers.CharField(allow_blank=True)
    team_id = serializers.IntegerField()
    is_active = serializers.BooleanField()
    health = serializers.ChoiceField(choices=["healthy", "degraded", "unhealthy"])
    last_polled_at = serializers.DateTimeField(allow_null=True)
    next_poll_at = serializers.DateTimeField(allow_null=True)
    lag_seconds = serializers.FloatField(allow_null=True)
    last_error = serializers.CharField(allow_blank=True)
    last_error_at = serializers.DateTimeField(allow_null=True)
    consecutive_failures = serializers.IntegerField()
    rate_limit_remaining = serializers.IntegerField(allow_null=True)
    rate_limit_reset_at = serializers.DateTimeField(allow_null=True)


class AccountListApi(APIView):
    @extend_schema(
        responses={200: AccountOut(many=True)},
        summary="Channel accounts of your teams, with poll health and rate-limit budget",
    )
    def get(self, request: Request) -> Response:
        return Response([account_snapshot(a) for a in channel_account_list(user=request.user)])


class AccountReconnectApi(APIView):
    @extend_schema(
        request=None,
        responses={200: AccountOut, 403: s.ErrorResponse, 404: s.ErrorResponse},
        summary="Resume polling after the access token was renewed (admins)",
    )
    def post(self, request: Request, account_id: int) -> Response:
        account = account_reconnect(user=request.user, account_id=account_id)
        return Response(account_snapshot(account))
