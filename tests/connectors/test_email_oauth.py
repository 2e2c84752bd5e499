"""E-mail over XOAUTH2 (Microsoft 365, Google Workspace): the access token lives an hour and is
renewed with the refresh token at the provider's token endpoint, before it ends and once after
the server refused it. The provider is the simulator's Microsoft-shaped token endpoint over
HTTP; the mailbox is the real Dovecot, which asks the provider's introspection endpoint about
every XOAUTH2 token (so an expired one is really refused); SMTP is aiosmtpd doing the same."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from connectors import jobs
from connectors.email.oauth import MailApp, mail_refresh, token_url
from connectors.errors import AuthExpired, PlatformRejected
from connectors.simulator.mail_oauth import INTROSPECT_PATH, MailOAuthApp
from connectors.simulator.server import Simulator, SimulatorServer
from connectors.token_jobs import renew_token
from inbox.credentials import account_refresh_token, account_token
from inbox.models import AccountHealth, ChannelAccount, Conversation, DeliveryState, TokenKind
from inbox.selectors.channel_accounts import (
    channel_account_list_expiring,
    channel_account_list_renewal_due,
)
from inbox.services import reply_create
from inbox.services.accounts import channel_account_create
from tests.connectors.email_support import mail
from tests.connectors.mail_servers import USER, DovecotServer, SmtpServer, free_port
from web.channels.present import token_state

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # aiosmtpd warns of AUTH without TLS; the test server listens on 127.0.0.1 only.
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
]

APP = MailApp("svar-mail", "svar-mail-secret")


@pytest.fixture
def provider() -> Iterator[tuple[MailOAuthApp, str]]:
    app = MailOAuthApp(APP.client_id, APP.client_secret)
    server = SimulatorServer(Simulator([app])).start()
    yield app, server.base_url
    server.stop()


@pytest.fixture
def servers(provider) -> Iterator[tuple[DovecotServer, SmtpServer]]:
    introspection = provider[1] + INTROSPECT_PATH
    dovecot = DovecotServer(introspection_url=introspection).start()
    smtp = SmtpServer(introspection_url=introspection).start()
    yield dovecot, smtp
    smtp.stop()
    dovecot.stop()


@pytest.fixture
def oauth_mailbox(provider, servers, settings, team) -> ChannelAccount:
    """A Microsoft 365 mailbox connected with a first token pair, its app in the environment."""
    settings.SVAR_MICROSOFT_MAIL_CLIENT_ID = APP.client_id
    settings.SVAR_MICROSOFT_MAIL_CLIENT_SECRET = APP.client_secret
    app, base_url = provider
    dovecot, smtp = servers
    access, refresh = app.grant(USER)
    return channel_account_create(
        platform="email", display_name="Kundeservice", external_id=USER, team_name=team.name,
        token=access, refresh_token=refresh, base_url=base_url,
        token_expires_at=timezone.now() + timedelta(minutes=59),
        mail_settings={
            "imap_host": "127.0.0.1", "imap_port": dovecot.port, "imap_security": "none",
            "smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_security": "none",
            "organisation": "Skattestyrelsen", "timeout": 10, "auth": "xoauth2",
            "oauth_provider": "microsoft", "oauth_tenant": "skat.example",
        },
    )  # fmt: skip


def _fresh(account: ChannelAccount) -> ChannelAccount:
    return ChannelAccount.objects.get(pk=account.pk)


def test_the_mailbox_is_read_over_xoauth2_with_the_token_it_was_connected_with(
    oauth_mailbox, servers, provider
):
    servers[0].deliver(mail())

    assert oauth_mailbox.token_kind == TokenKind.MAIL_OAUTH
    assert jobs.poll_account(oauth_mailbox.pk).startswith("stored 1")
    assert provider[0].refreshes == 0  # an hour left: nothing to renew
    assert "method=XOAUTH2" in servers[0].logs()


def test_a_token_about_to_end_is_renewed_before_the_poll_and_the_rotated_refresh_token_kept(
    oauth_mailbox, servers, provider
):
    ChannelAccount.objects.filter(pk=oauth_mailbox.pk).update(
        token_expires_at=timezone.now() + timedelta(seconds=60)
    )
    old_access, old_refresh = account_token(oauth_mailbox), account_refresh_token(oauth_mailbox)
    servers[0].deliver(mail())

    assert jobs.poll_account(oauth_mailbox.pk).startswith("stored 1")

    renewed = _fresh(oauth_mailbox)
    assert provider[0].refreshes == 1
    assert account_token(renewed) not in (old_access, None)
    assert account_refresh_token(renewed) not in (old_refresh, None)  # rotated, and stored
    assert renewed.token_expires_at > timezone.now() + timedelta(minutes=55)
    # The simulator killed the old refresh token: a second renewal works only with the new one.
    ChannelAccount.objects.filter(pk=renewed.pk).update(token_expires_at=timezone.now())
    assert renew_token(renewed.pk) == "renewed"


def test_admins_are_told_the_token_renews_itself_not_that_it_expires_within_the_hour(
    oauth_mailbox,
):
    assert token_state(oauth_mailbox, timezone.now()).text == "Renews itself"
    assert oauth_mailbox not in channel_account_list_expiring()


def test_the_maintenance_pass_finds_tokens_ending_within_ten_minutes(oauth_mailbox):
    now = timezone.now()
    assert oauth_mailbox.pk not in channel_account_list_renewal_due(now=now, ahead=timedelta(0))
    soon = now + timedelta(minutes=50)
    assert oauth_mailbox.pk in channel_account_list_renewal_due(
        now=soon, ahead=timedelta(minutes=10)
    )
    assert renew_token(oauth_mailbox.pk) == "fresh: renewed meanwhile"  # still 59 minutes
    ChannelAccount.objects.filter(pk=oauth_mailbox.pk).update(token_expires_at=now)
    assert renew_token(oauth_mailbox.pk) == "renewed"


def test_a_token_refused_before_its_stated_expiry_is_renewed_once_and_the_poll_goes_on(
    oauth_mailbox, servers, provider
):
    provider[0].expire_access_tokens()  # ended early: Svar still believes it has 59 minutes
    servers[0].deliver(mail())

    assert jobs.poll_account(oauth_mailbox.pk).startswith("stored 1")

    assert provider[0].refreshes == 1
    assert "AUTHENTICATIONFAILED" not in str(_fresh(oauth_mailbox).last_error)
    assert _fresh(oauth_mailbox).health == AccountHealth.HEALTHY
    assert Conversation.objects.count() == 1


def test_a_dead_refresh_token_marks_the_mailbox_unhealthy_asking_to_re_authorise(
    oauth_mailbox, servers, provider
):
    provider[0].revoke(USER)
    provider[0].expire_access_tokens()
    servers[0].deliver(mail())

    assert jobs.poll_account(oauth_mailbox.pk) == "paused: credentials rejected"

    account = _fresh(oauth_mailbox)
    assert account.health == AccountHealth.UNHEALTHY
    assert account.reconnect_needed
    assert "invalid_grant" in account.reconnect_reason_shown
    assert "re-authorise Svar's app" in account.reconnect_reason_shown
    with translation.override("da"):
        assert "Svars app" in _fresh(oauth_mailbox).reconnect_reason_shown
    assert jobs.poll_account(account.pk) == "skipped: paused until reconnected"
    assert Conversation.objects.count() == 0  # nothing lost: the mail waits in the mailbox


def test_a_token_endpoint_out_of_reach_backs_off_without_asking_for_a_reconnect(
    oauth_mailbox, provider
):
    closed = f"http://127.0.0.1:{free_port()}"
    ChannelAccount.objects.filter(pk=oauth_mailbox.pk).update(base_url=closed)
    provider[0].expire_access_tokens()

    assert jobs.poll_account(oauth_mailbox.pk).startswith("failed: Renewing the access token")

    account = _fresh(oauth_mailbox)
    assert account.health == AccountHealth.DEGRADED
    assert not account.reconnect_needed
    assert account.next_poll_at is not None


def test_without_the_apps_id_and_secret_in_the_environment_nothing_is_renewed(
    oauth_mailbox, provider, settings
):
    settings.SVAR_MICROSOFT_MAIL_CLIENT_SECRET = ""
    ChannelAccount.objects.filter(pk=oauth_mailbox.pk).update(token_expires_at=timezone.now())

    outcome = renew_token(oauth_mailbox.pk)

    assert outcome == (
        "unavailable: SVAR_MICROSOFT_MAIL_CLIENT_ID and SVAR_MICROSOFT_MAIL_CLIENT_SECRET not set"
    )
    assert provider[0].refreshes == 0


def test_a_reply_whose_token_smtp_refuses_is_sent_once_with_the_renewed_token(
    oauth_mailbox, servers, provider, agent
):
    dovecot, smtp = servers
    dovecot.deliver(mail())
    jobs.poll_account(oauth_mailbox.pk)
    reply = reply_create(
        user=agent.user, conversation_id=Conversation.objects.get().pk, body="Den er klar."
    )
    provider[0].expire_access_tokens()

    assert jobs.deliver_reply(reply.pk).startswith("sent")

    assert provider[0].refreshes == 1
    assert len(smtp.received) == 1
    assert len(dovecot.folder_messages("Sent")) == 1  # no copy left from the refused attempt
    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.SENT


def test_smtp_refusing_the_token_after_imap_accepted_it_leaves_no_stray_sent_copy(
    oauth_mailbox, servers, provider, agent
):
    """The token ends between the Sent copy (IMAP) and SMTP's AUTH: the copy is dropped before
    the renewed attempt appends its own, so Sent holds the reply once."""
    dovecot, smtp = servers
    dovecot.deliver(mail())
    jobs.poll_account(oauth_mailbox.pk)
    reply = reply_create(
        user=agent.user, conversation_id=Conversation.objects.get().pk, body="Én kopi."
    )
    smtp.handler.refuse_next = 1  # type: ignore[attr-defined]

    assert jobs.deliver_reply(reply.pk).startswith("sent")

    assert smtp.handler.refused == 1  # type: ignore[attr-defined]
    assert len(smtp.received) == 1
    assert len(dovecot.folder_messages("Sent")) == 1


# --- the token endpoint's wire, Microsoft's and Google's shapes --------------------------------


def test_microsofts_endpoint_is_asked_for_the_mailbox_scopes_and_rotates_the_refresh_token(
    provider,
):
    app, base_url = provider
    _, refresh = app.grant(USER)

    grant = mail_refresh(provider="microsoft", tenant="skat.example", app=APP,
                         refresh_token=refresh, base_url=base_url)  # fmt: skip

    assert app.active(grant.access_token) == USER
    assert grant.refresh_token
    assert grant.refresh_token != refresh
    assert "https://outlook.office.com/IMAP.AccessAsUser.All" in grant.scopes
    with pytest.raises(AuthExpired, match=r"^invalid_grant: AADSTS70008: .*inactivity\.$"):
        mail_refresh(provider="microsoft", tenant="skat.example", app=APP,
                     refresh_token=refresh, base_url=base_url)  # fmt: skip


def test_a_wrong_client_secret_is_a_refusal_that_needs_the_settings_fixed(provider):
    app, base_url = provider
    _, refresh = app.grant(USER)
    with pytest.raises(PlatformRejected, match="invalid_client: AADSTS7000215"):
        mail_refresh(provider="microsoft", tenant="common", app=MailApp("svar-mail", "wrong"),
                     refresh_token=refresh, base_url=base_url)  # fmt: skip
    assert app.snapshot()["refresh_tokens"] == 1  # the refresh token was not spent


def test_the_token_urls_are_the_providers():
    assert token_url("microsoft", "skat.example") == (
        "https://login.microsoftonline.com/skat.example/oauth2/v2.0/token"
    )
    assert token_url("google", "") == "https://oauth2.googleapis.com/token"
    assert token_url("google", "", "http://127.0.0.1:9") == "http://127.0.0.1:9/token"


def test_googles_endpoint_takes_no_scope_and_may_keep_the_refresh_token(provider):
    app, base_url = provider
    _, refresh = app.grant(USER)
    grant = mail_refresh(provider="google", tenant="", app=APP, refresh_token=refresh,
                         base_url=base_url)  # fmt: skip
    assert app.active(grant.access_token) == USER
