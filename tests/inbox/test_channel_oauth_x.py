"""Connecting X accounts through OAuth 2.0 with PKCE, against the simulator over real HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from connectors import jobs
from connectors.simulator import demo
from connectors.twitter.oauth import x_refresh
from inbox.credentials import account_refresh_token, account_token
from inbox.exceptions import NotFound, OAuthFailed, PermissionDenied
from inbox.models import (
    AccountHealth,
    AuditAction,
    AuditEntry,
    ChannelAccount,
    Conversation,
    DeliveryState,
    Message,
    OAuthAttempt,
    TokenKind,
)
from inbox.services import reply_create
from inbox.services.channels import (
    channel_account_disconnect,
    oauth_connection_start,
    x_oauth_finish,
)
from tests.connectors.twitter_support import CUSTOMER, ME
from tests.factories import AgentFactory
from tests.inbox.channel_oauth_support import CLIENT, REDIRECT_URI, consent, oauth_apps

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def apps(x_sim):
    with oauth_apps(x_sim.base_url):
        yield x_sim


def start(user, team, **options):
    return oauth_connection_start(
        user=user,
        platform="x",
        team_id=team.pk,
        poll_interval_seconds=options.pop("interval", 15),
        redirect_uri=REDIRECT_URI,
        **options,
    )


def connect(user, team, **options) -> ChannelAccount:
    query = consent(start(user, team, **options).authorize_url)
    return x_oauth_finish(user=user, **query)


def test_an_admin_connects_an_x_account_and_its_mentions_arrive(apps, admin_agent, team):
    account = connect(admin_agent.user, team, interval=20)

    assert (account.external_id, account.handle, account.team) == (
        ME,
        demo.X_ACCOUNT_USERNAME,
        team,
    )
    assert account.token_kind == TokenKind.X_USER
    assert account.poll_interval_seconds == 20
    assert account.base_url == apps.base_url
    assert account.missing_permissions == []
    assert "offline.access" in account.granted_scopes
    lives = account.token_expires_at - timezone.now()
    assert timedelta(hours=1, minutes=59) < lives <= timedelta(hours=2)
    account.refresh_from_db()
    # Sealed at rest: the stored values are not the tokens themselves.
    access, refresh = account_token(account), account_refresh_token(account)
    assert access
    assert refresh
    assert access not in account.credentials_encrypted
    assert refresh not in account.refresh_token_encrypted
    apps.app.add_mention(ME, CUSTOMER, "Hvornår kommer årsopgørelsen?")
    assert jobs.poll_account(account.pk).startswith("stored 1")
    entry = AuditEntry.objects.get(action=AuditAction.ACCOUNT_CREATED)
    assert entry.details["via"] == "oauth"
    assert entry.actor == admin_agent


def test_a_state_that_does_not_match_is_refused_and_nothing_is_created(apps, admin_agent, team):
    query = consent(start(admin_agent.user, team).authorize_url)

    with pytest.raises(OAuthFailed, match="not valid"):
        x_oauth_finish(user=admin_agent.user, state="forged-" + query["state"], code=query["code"])
    with pytest.raises(OAuthFailed, match="not valid"):
        x_oauth_finish(user=admin_agent.user, state="", code=query["code"])
    assert not ChannelAccount.objects.exists()
    assert OAuthAttempt.objects.get().used_at is None  # the real one is still usable


def test_another_admins_state_is_refused(apps, admin_agent, team):
    other_admin = AgentFactory(role="admin")
    query = consent(start(admin_agent.user, team).authorize_url)

    with pytest.raises(OAuthFailed):
        x_oauth_finish(user=other_admin.user, **query)
    assert not ChannelAccount.objects.exists()


def test_denied_consent_connects_nothing_and_says_so(apps, admin_agent, team):
    query = consent(start(admin_agent.user, team).authorize_url, decision="deny")
    assert query["error"] == "access_denied"

    with pytest.raises(OAuthFailed, match="did not allow Svar access on X"):
        x_oauth_finish(user=admin_agent.user, **query)
    assert not ChannelAccount.objects.exists()


def test_a_callback_used_twice_is_refused_the_second_time(apps, admin_agent, team):
    query = consent(start(admin_agent.user, team).authorize_url)
    first = x_oauth_finish(user=admin_agent.user, **query)

    with pytest.raises(OAuthFailed, match="already used"):
        x_oauth_finish(user=admin_agent.user, **query)
    assert list(ChannelAccount.objects.values_list("pk", flat=True)) == [first.pk]


def test_a_connection_link_older_than_ten_minutes_is_refused(apps, admin_agent, team):
    query = consent(start(admin_agent.user, team).authorize_url)
    OAuthAttempt.objects.update(created_at=timezone.now() - timedelta(minutes=11))

    with pytest.raises(OAuthFailed, match="expired"):
        x_oauth_finish(user=admin_agent.user, **query)
    assert not ChannelAccount.objects.exists()


def test_agents_and_admins_of_another_team_cannot_connect(apps, agent, team, other_team):
    with pytest.raises(PermissionDenied):
        start(agent.user, team)
    # Allowed to manage channels but a member of the other team only: this team is not found.
    narrow = AgentFactory(teams=[other_team], role="manager")
    narrow.user.user_permissions.add(Permission.objects.get(codename="manage_channels"))
    with pytest.raises(NotFound):
        start(narrow.user, team)
    assert not OAuthAttempt.objects.exists()


def test_connecting_an_existing_account_reconnects_the_same_row(
    apps, admin_agent, team, other_team, monkeypatch
):
    monkeypatch.setenv("SVAR_CREDENTIAL_X_OLD", demo.X_TOKEN)
    old = ChannelAccount.objects.create(
        platform="x",
        display_name="@old",
        external_id=ME,
        team=team,
        base_url=apps.base_url,
        credentials_ref="SVAR_CREDENTIAL_X_OLD",
        token_kind=TokenKind.ENVIRONMENT,
    )
    apps.app.add_mention(ME, CUSTOMER, "Første spørgsmål")
    jobs.poll_account(old.pk)
    cursor = ChannelAccount.objects.get(pk=old.pk).poll_cursor
    assert cursor

    account = connect(admin_agent.user, other_team)  # the chosen team does not move it

    assert account.pk == old.pk
    assert ChannelAccount.objects.count() == 1
    account.refresh_from_db()
    assert account.team == team
    assert account.poll_cursor == cursor
    assert account.token_kind == TokenKind.X_USER
    assert account.credentials_ref == ""
    assert Message.objects.filter(account=account).count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.ACCOUNT_RECONNECTED).exists()


def test_settings_name_what_is_missing_when_no_app_is_configured(x_sim, admin_agent, team):
    with pytest.raises(OAuthFailed, match="SVAR_X_CLIENT_ID"):
        start(admin_agent.user, team)


def test_the_client_secret_comes_from_the_settings_only(apps, admin_agent, team):
    """The stored refresh token works with Svar's configured client, at the simulator."""
    account = connect(admin_agent.user, team)
    account.refresh_from_db()
    grant = x_refresh(
        client_id=CLIENT["SVAR_X_CLIENT_ID"],
        client_secret=CLIENT["SVAR_X_CLIENT_SECRET"],
        refresh_token=account_refresh_token(account),
        base_url=apps.base_url,
    )
    assert grant.access_token
    assert account.health == AccountHealth.HEALTHY


def test_disconnect_revokes_at_x_stops_polling_keeps_history_and_reconnect_revives_it(
    apps, admin_agent, agent, team
):
    account = connect(admin_agent.user, team)
    apps.app.add_mention(ME, CUSTOMER, "Før frakobling")
    jobs.poll_account(account.pk)
    with pytest.raises(PermissionDenied):
        channel_account_disconnect(user=agent.user, account_id=account.pk)

    channel_account_disconnect(user=admin_agent.user, account_id=account.pk)

    account.refresh_from_db()
    assert account.disconnected_at is not None
    assert account.disconnected_by == admin_agent.user
    assert not account.is_active
    assert account.credentials_encrypted == ""
    assert apps.app.oauth.live_tokens(ME) == {"access_tokens": [], "refresh_tokens": []}
    assert jobs.poll_account(account.pk) == "skipped: account gone or inactive"
    assert Message.objects.filter(account=account).count() == 1
    entry = AuditEntry.objects.get(action=AuditAction.ACCOUNT_DISCONNECTED)
    assert entry.details["revocation"] == "revoked"

    again = connect(admin_agent.user, team)
    assert again.pk == account.pk
    assert again.is_active
    assert again.disconnected_at is None


def test_a_reply_on_a_disconnected_account_fails_visibly_without_calling_x(
    apps, admin_agent, agent, team
):
    account = connect(admin_agent.user, team)
    apps.app.add_mention(ME, CUSTOMER, "Kan I svare?")
    jobs.poll_account(account.pk)
    conversation = Conversation.objects.get(account=account)
    reply = reply_create(user=agent.user, conversation_id=conversation.pk, body="Ja")
    channel_account_disconnect(user=admin_agent.user, account_id=account.pk)

    assert jobs.deliver_reply(reply.pk) == "failed: account disconnected"

    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.FAILED
    assert "disconnected" in reply.delivery_error
    assert apps.app.posted_replies(ME) == []
    account.refresh_from_db()
    assert not account.reconnect_needed
