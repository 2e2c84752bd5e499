"""The channel accounts in the API: their token state in the list, starting an OAuth
connection (X and Facebook), disconnecting; admins only, the API's one error shape, and
responses as the published schema describes them."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from openapi_schema_validator import OAS31Validator
from referencing import Registry, Resource
from rest_framework.test import APIClient

from connectors.simulator import demo
from inbox.credentials import seal
from inbox.models import AccountHealth, AuditEntry, ChannelAccount, OAuthAttempt, TokenKind
from inbox.permissions.roles import Role
from tests.conftest import api_client_for
from tests.factories import AgentFactory, ChannelAccountFactory
from tests.inbox.channel_oauth_support import consent
from tests.web import channels_support
from tests.web.channels_support import redirect_uri_of

pytestmark = pytest.mark.django_db(transaction=True)
platforms = channels_support.platforms


@pytest.fixture
def admin_api(admin_agent) -> APIClient:
    return api_client_for(admin_agent)


def matches_schema(client: APIClient, component: str, instance: object) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    registry = Registry().with_resource("urn:svar", Resource.opaque(schema))
    validator = OAS31Validator(
        {"$ref": f"urn:svar#/components/schemas/{component}"}, registry=registry
    )
    validator.validate(instance)


def test_the_account_list_carries_each_tokens_state_and_expiry(admin_api, team):
    ends = timezone.now() + timedelta(days=5, hours=1)
    ChannelAccountFactory(
        team=team, display_name="@renewing", token_kind=TokenKind.X_USER,
        refresh_token_encrypted=seal("r-1"), token_expires_at=timezone.now() + timedelta(hours=2),
    )  # fmt: skip
    ChannelAccountFactory(
        team=team, platform="facebook", display_name="Side", token_kind=TokenKind.FACEBOOK_PAGE,
        data_access_expires_at=ends, missing_permissions=["MODERATE"],
        health=AccountHealth.UNHEALTHY, reconnect_needed=True, reconnect_reason="Grant revoked",
    )  # fmt: skip

    listed = {a["display_name"]: a for a in admin_api.get("/api/accounts").json()}

    renewing, page = listed["@renewing"], listed["Side"]
    assert renewing["token_kind"] == "x_user"
    assert renewing["token_renews_itself"] is True
    assert renewing["token_state"] == "Renews itself"
    assert page["token_renews_itself"] is False
    assert page["reconnect_needed"] is True
    assert page["token_state"] == "Reconnect needed: Grant revoked"
    assert page["missing_permissions"] == ["MODERATE"]
    assert page["data_access_expires_at"] == ends.isoformat()
    assert "refresh" not in str(page).lower().replace("token_renews_itself", "")
    matches_schema(admin_api, "AccountOut", renewing)
    matches_schema(admin_api, "AccountOut", page)


def test_an_admin_starts_an_x_connection_and_the_browser_finishes_it(admin_agent, team,
                                                                     platforms):  # fmt: skip
    client = APIClient()
    # The callback is a page: the same admin, signed in (the stored password's hash).
    client.force_login(User.objects.get(pk=admin_agent.user_id))
    started = client.post(
        "/api/accounts/oauth/x", {"team_id": team.pk, "poll_interval_seconds": 20}, format="json"
    )
    assert started.status_code == 200, started.json()
    body = started.json()
    matches_schema(client, "OAuthStartResponse", body)
    assert body["authorize_url"].startswith(f"{platforms.base_url}/i/oauth2/authorize?")
    callback = redirect_uri_of(body["authorize_url"])
    assert callback == "http://testserver/channels/x/callback"

    client.get(urlsplit(callback).path, consent(body["authorize_url"]))

    account = ChannelAccount.objects.get(external_id=demo.X_ACCOUNT_ID)
    assert account.team_id == team.pk
    assert account.poll_interval_seconds == 20
    listed = client.get("/api/accounts").json()
    assert [a["token_state"] for a in listed] == ["Renews itself"]


def test_a_facebook_connection_starts_at_the_facebook_dialog(admin_api, team, platforms):
    started = admin_api.post("/api/accounts/oauth/facebook", {"team_id": team.pk}, format="json")
    assert started.status_code == 200
    url = started.json()["authorize_url"]
    assert urlsplit(url).path.endswith("/dialog/oauth")
    assert redirect_uri_of(url) == "http://testserver/channels/facebook/callback"
    assert OAuthAttempt.objects.get(pk=started.json()["attempt_id"]).poll_interval_seconds == 30


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "invalid"),  # no team
        ({"team_id": "1"}, 400, "invalid"),  # a string is not an id
        ({"team_id": 1, "poll_interval_seconds": 2}, 400, "invalid"),
        ({"team_id": 999_999}, 404, "not_found"),
        ({"team_id": 1, "reconnect_account_id": 999_999}, 404, "not_found"),
    ],
    ids=["nothing", "string-id", "interval-too-short", "unknown-team", "unknown-account"],
)
def test_bad_starts_are_refused_in_the_apis_error_shape(admin_api, team, platforms, body,
                                                        status, code):  # fmt: skip
    body = {k: (team.pk if v == 1 else v) for k, v in body.items()}
    response = admin_api.post("/api/accounts/oauth/x", body, format="json")
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert not OAuthAttempt.objects.exists()


def test_a_start_without_the_oauth_app_configured_says_what_to_set(admin_api, team, settings):
    settings.SVAR_X_CLIENT_ID = ""
    response = admin_api.post("/api/accounts/oauth/x", {"team_id": team.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "oauth_failed"
    assert "SVAR_X_CLIENT_ID" in response.json()["error"]["message"]


@pytest.mark.parametrize("role", [Role.AGENT, Role.MANAGER])
def test_managers_and_agents_may_not_connect_or_disconnect(role, team, x_account, platforms):
    api = api_client_for(AgentFactory(teams=[team], role=role))
    for path, body in [
        ("/api/accounts/oauth/x", {"team_id": team.pk}),
        ("/api/accounts/oauth/facebook", {"team_id": team.pk}),
        (f"/api/accounts/{x_account.pk}/disconnect", None),
    ]:
        response = api.post(path, body, format="json")
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "permission_denied"
    assert ChannelAccount.objects.get(pk=x_account.pk).disconnected_at is None
    assert not OAuthAttempt.objects.exists()


def test_an_admin_disconnects_an_account_once_and_it_is_audited(admin_api, x_account):
    first = admin_api.post(f"/api/accounts/{x_account.pk}/disconnect")
    again = admin_api.post(f"/api/accounts/{x_account.pk}/disconnect")

    assert first.status_code == 200
    assert first.json()["disconnected_at"] is not None
    assert first.json()["is_active"] is False
    assert again.json()["disconnected_at"] == first.json()["disconnected_at"]
    matches_schema(admin_api, "AccountOut", first.json())
    audited = AuditEntry.objects.filter(action="account.disconnected", object_id=x_account.pk)
    assert audited.count() == 1
    assert admin_api.post("/api/accounts/999999/disconnect").status_code == 404
