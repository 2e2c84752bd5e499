"""Channel accounts: their health and token state; connecting through OAuth, reconnecting and
disconnecting them (admins).

Starting a connection answers the platform's consent URL; the admin's browser goes there and
the platform sends it back to the page route ``/channels/<platform>/callback`` (a browser
redirect, not an API call), signed in as the same user.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from connectors.base import Platform
from inbox.events.snapshots import account_snapshot, iso
from inbox.models import ChannelAccount, TokenKind
from inbox.selectors.channel_accounts import channel_account_list
from inbox.services.accounts import POLL_INTERVAL_MIN, account_reconnect
from inbox.services.arrivals import webhook_health
from inbox.services.channels import channel_account_disconnect, oauth_connection_start
from web.api import serializers as s
from web.api.conversations import parse_body
from web.api.fields import WholeNumberField
from web.channels.forms import POLL_INTERVAL_DEFAULT, POLL_INTERVAL_MAX
from web.channels.links import callback_url
from web.channels.present import token_state


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
    token_kind = serializers.ChoiceField(choices=TokenKind.values)
    token_state = serializers.CharField(help_text="The token's state in words for people")
    token_renews_itself = serializers.BooleanField()
    token_expires_at = serializers.DateTimeField(allow_null=True)
    data_access_expires_at = serializers.DateTimeField(
        allow_null=True, help_text="Facebook: when the grant's data access ends"
    )
    missing_permissions = serializers.ListField(
        child=serializers.CharField(), help_text="Scopes (X) or Page tasks (Facebook) lacking"
    )
    reconnect_needed = serializers.BooleanField()
    reconnect_reason = serializers.CharField(allow_blank=True)
    disconnected_at = serializers.DateTimeField(allow_null=True)
    webhook_healthy = serializers.BooleanField(help_text="Webhooks delivered recently (#20)")
    webhook_last_delivery_at = serializers.DateTimeField(allow_null=True)
    webhook_gaps = serializers.IntegerField(help_text="Items polls found that webhooks missed")
    webhook_last_gap_at = serializers.DateTimeField(allow_null=True)
    webhook_failures = serializers.IntegerField(
        help_text="Webhook items given up after every retry (a mention whose lookup kept failing)"
    )
    webhook_last_failure_at = serializers.DateTimeField(allow_null=True)
    webhook_last_failure = serializers.CharField(
        allow_blank=True, help_text="Why the last one was given up, in the reader's language"
    )


def account_out(account: ChannelAccount) -> dict[str, Any]:
    """The account's snapshot (as the live inbox shows it) with its token state."""
    renews = account.token_kind in TokenKind.renewing() and bool(account.refresh_token_encrypted)
    return {
        **account_snapshot(account),
        "token_kind": account.token_kind,
        "token_state": token_state(account, timezone.now()).text,
        "token_renews_itself": renews and not account.reconnect_needed,
        "token_expires_at": iso(account.token_expires_at),
        "data_access_expires_at": iso(account.data_access_expires_at),
        "missing_permissions": [str(name) for name in account.missing_permissions or []],
        "reconnect_needed": account.reconnect_needed,
        "reconnect_reason": account.reconnect_reason_shown,
        "disconnected_at": iso(account.disconnected_at),
        **webhook_health(account),
    }


class OAuthStartRequest(serializers.Serializer):
    team_id = WholeNumberField(
        min_value=1, help_text="Where a new account goes (a reconnected one keeps its team)"
    )
    poll_interval_seconds = WholeNumberField(
        min_value=POLL_INTERVAL_MIN, max_value=POLL_INTERVAL_MAX, default=POLL_INTERVAL_DEFAULT
    )
    reconnect_account_id = WholeNumberField(
        min_value=1, required=False, help_text="Reconnect this account (same row, history kept)"
    )


class OAuthStartResponse(serializers.Serializer):
    attempt_id = serializers.IntegerField()
    authorize_url = serializers.URLField(help_text="Send the admin's browser here")


class AccountListApi(APIView):
    @extend_schema(
        responses={200: AccountOut(many=True)},
        summary="Channel accounts of your teams, with poll health, token state and expiry",
    )
    def get(self, request: Request) -> Response:
        return Response([account_out(a) for a in channel_account_list(user=request.user)])


class OAuthStartApi(APIView):
    platform: Platform

    def post(self, request: Request) -> Response:
        data = parse_body(OAuthStartRequest, request.data)
        reconnecting = data.get("reconnect_account_id")
        start = oauth_connection_start(
            user=request.user, platform=self.platform.value, team_id=data["team_id"],
            poll_interval_seconds=data["poll_interval_seconds"],
            redirect_uri=callback_url(request, self.platform), reconnect_account_id=reconnecting,
        )  # fmt: skip
        return Response({"attempt_id": start.attempt_id, "authorize_url": start.authorize_url})


_START_RESPONSES = {200: OAuthStartResponse, 400: s.ErrorResponse, 403: s.ErrorResponse,
                    404: s.ErrorResponse}  # fmt: skip


class XOAuthStartApi(OAuthStartApi):
    platform = Platform.X

    @extend_schema(
        request=OAuthStartRequest, responses=_START_RESPONSES,
        summary="Start connecting an X account through OAuth 2.0 with PKCE (admins)",
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        return super().post(request)


class FacebookOAuthStartApi(OAuthStartApi):
    platform = Platform.FACEBOOK

    @extend_schema(
        request=OAuthStartRequest, responses=_START_RESPONSES,
        summary="Start connecting Facebook Pages through Facebook Login (admins)",
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        return super().post(request)


class AccountReconnectApi(APIView):
    @extend_schema(
        request=None,
        responses={200: AccountOut, 403: s.ErrorResponse, 404: s.ErrorResponse},
        summary="Resume polling after the access token was renewed (admins)",
    )
    def post(self, request: Request, account_id: int) -> Response:
        account = account_reconnect(user=request.user, account_id=account_id)
        return Response(account_out(account))


class AccountDisconnectApi(APIView):
    @extend_schema(
        request=None,
        responses={200: AccountOut, 403: s.ErrorResponse, 404: s.ErrorResponse},
        summary="Revoke the token where the platform allows it and stop polling; history kept "
        "(admins)",
    )
    def post(self, request: Request, account_id: int) -> Response:
        account = channel_account_disconnect(user=request.user, account_id=account_id)
        return Response(account_out(account))
