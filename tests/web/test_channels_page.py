"""The admins' Channels page: who may see it, what it says about each account's token, and
connecting, reconnecting and disconnecting accounts through the simulator's consent pages.

"An admin of another team" (issue #22): admins see every team in Svar (inbox/permissions/
roles.py: view_all_teams), so no admin is of another team. The case that remains is staff of
another team, a manager or agent, trying the Channels routes with this team's ids: they hold
no ``manage_channels``, are refused (403) and change nothing. The isolation walk
(tests/security/test_isolation_walk.py) walks every one of these routes the same way.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from connectors.simulator import demo
from connectors.simulator.faults import FaultKind
from inbox.credentials import seal
from inbox.models import AccountHealth, AuditEntry, ChannelAccount, TokenKind
from inbox.permissions.roles import Role
from tests.factories import AgentFactory, ChannelAccountFactory
from tests.web import channels_support
from tests.web.channels_support import redirect_uri_of, signed_in, through_consent

pytestmark = pytest.mark.django_db(transaction=True)
platforms = channels_support.platforms


@pytest.fixture
def admin(admin_agent):
    return signed_in(admin_agent)


def page_text(client) -> str:
    response = client.get("/channels/")
    assert response.status_code == 200
    return response.content.decode()


# --- who may see it ---------------------------------------------------------------------------


def test_only_admins_see_the_channels_page_and_its_link(admin, agent, manager, client):
    assert 'href="/channels/"' in page_text(admin)
    for member in (agent, manager):
        browser = signed_in(member)
        assert browser.get("/channels/").status_code == 403
        assert 'href="/channels/"' not in browser.get("/").content.decode()
    assert client.get("/channels/").status_code == 302  # not signed in: to the login page


@pytest.mark.parametrize("role", [Role.AGENT, Role.MANAGER])
def test_staff_of_another_team_cannot_connect_reconnect_or_disconnect(
    role, other_team, x_account, platforms
):
    intruder = signed_in(AgentFactory(teams=[other_team], role=role))
    audit_before = AuditEntry.objects.count()
    requests = [
        ("post", "/channels/connect/x", {"team": x_account.team_id, "poll_interval_seconds": 30}),
        ("post", "/channels/connect/facebook", {"team": x_account.team_id}),
        ("post", f"/channels/{x_account.pk}/reconnect", {}),
        ("get", f"/channels/{x_account.pk}/disconnect", None),
        ("post", f"/channels/{x_account.pk}/disconnect", {}),
        ("get", "/channels/x/callback?state=s&code=c", None),
        ("get", "/channels/facebook/callback?state=s&code=c", None),
        ("get", "/channels/facebook/pages", None),
    ]
    for method, path, data in requests:
        response = getattr(intruder, method)(path, data)
        assert response.status_code == 403, (method, path, response.status_code)
    account = ChannelAccount.objects.get(pk=x_account.pk)
    assert account.disconnected_at is None
    assert account.is_active
    assert AuditEntry.objects.count() == audit_before


# --- what it says -----------------------------------------------------------------------------


def test_every_account_shows_its_team_health_token_state_and_expiry(
    admin, team, other_team, platforms
):
    now = timezone.now()
    renewing = ChannelAccountFactory(
        team=team, display_name="@renewing", token_kind=TokenKind.X_USER,
        refresh_token_encrypted=seal("r-1"), token_expires_at=now + timedelta(hours=2),
        last_polled_at=now,
    )  # fmt: skip
    ChannelAccountFactory(
        team=other_team, platform="facebook", display_name="Side med frist",
        token_kind=TokenKind.FACEBOOK_PAGE, data_access_expires_at=now + timedelta(days=5, hours=1),
        missing_permissions=["MESSAGING"],
    )  # fmt: skip
    ChannelAccountFactory(
        team=team, display_name="@revoked", token_kind=TokenKind.X_USER,
        health=AccountHealth.UNHEALTHY, reconnect_needed=True,
        reconnect_reason="The X refresh token was rejected", last_error="401 Unauthorized",
    )  # fmt: skip
    ChannelAccountFactory(team=team, display_name="@pasted", token_kind=TokenKind.MANUAL)
    ChannelAccountFactory(team=team, display_name="@gone", disconnected_at=now, is_active=False)

    page = page_text(admin)

    assert "Renews itself" in page
    assert "Data access ends in 5\xa0days" in page
    assert "Missing Page tasks: MESSAGING" in page
    assert "Reconnect needed: The X refresh token was rejected" in page
    assert "401 Unauthorized" in page
    assert "Set by hand; its expiry is not known" in page
    assert "Disconnected" in page
    assert "Told" in page
    assert "Skat" in page  # each account's team
    renewing_row = page.split(f'data-account="{renewing.pk}"')[1].split("</tr>")[0]
    assert "<time datetime=" in renewing_row  # its last poll
    banner = page.split('id="warnings-title"')[1].split("</section>")[0]
    assert "Side med frist" in banner
    assert "@revoked" in banner
    assert "@renewing" not in banner
    assert "@pasted" not in banner
    assert "@gone" not in banner


def test_a_page_token_ending_within_seven_days_is_warned_about(admin, team, platforms):
    ChannelAccountFactory(
        team=team, platform="facebook", display_name="Snart udløbet",
        token_kind=TokenKind.FACEBOOK_PAGE, token_expires_at=timezone.now() + timedelta(days=3),
    )  # fmt: skip
    page = page_text(admin)
    assert "Expires in 3\xa0days" in page or "Expires in 2\xa0days" in page
    assert 'role="alert"' in page.split('id="warnings-title"')[0][-200:]


def test_without_oauth_apps_the_connect_buttons_say_what_to_set(admin, team, settings):
    settings.SVAR_X_CLIENT_ID = settings.SVAR_FACEBOOK_APP_ID = ""
    page = page_text(admin)
    assert "set SVAR_X_CLIENT_ID and SVAR_X_CLIENT_SECRET" in page
    assert "disabled" in page
    response = admin.post("/channels/connect/x", {"team": team.pk, "poll_interval_seconds": 30})
    assert response.status_code == 400
    assert "Connecting through OAuth is not set up" in response.content.decode()


# --- connecting X ----------------------------------------------------------------------------


def test_an_admin_connects_an_x_account_into_the_chosen_team(admin, team, other_team, platforms):
    form = {"team": other_team.pk, "poll_interval_seconds": 45}
    started = admin.post("/channels/connect/x", form)
    assert started.status_code == 302
    assert started["Location"].startswith(f"{platforms.base_url}/i/oauth2/authorize?")
    assert redirect_uri_of(started["Location"]) == "http://testserver/channels/x/callback"

    path, query = through_consent(admin, "/channels/connect/x", form)
    landed = admin.get(path, query, follow=True)

    account = ChannelAccount.objects.get(external_id=demo.X_ACCOUNT_ID)
    assert (account.team_id, account.poll_interval_seconds) == (other_team.pk, 45)
    assert account.token_kind == TokenKind.X_USER
    assert account.refresh_token_encrypted
    assert landed.redirect_chain[-1][0] == "/channels/"
    text = landed.content.decode()
    assert f"@{demo.X_ACCOUNT_USERNAME} is connected." in text
    assert "Renews itself" in text


def test_the_page_lets_its_forms_lead_to_the_consent_pages_and_nowhere_else(admin, platforms):
    policy = admin.get("/channels/")["Content-Security-Policy"]
    assert f"form-action 'self' {platforms.base_url};" in policy  # both apps on the simulator
    assert "script-src 'self';" in policy  # the rest of Svar's policy unchanged


def test_with_the_real_platforms_the_forms_lead_to_x_and_facebook(admin, settings):
    settings.SVAR_X_OAUTH_BASE_URL = settings.SVAR_FACEBOOK_OAUTH_BASE_URL = ""
    policy = admin.get("/channels/")["Content-Security-Policy"]
    assert "form-action 'self' https://x.com https://www.facebook.com;" in policy
    assert "form-action 'self';" in admin.get("/profile/")["Content-Security-Policy"]


def test_the_callback_url_is_the_public_url_when_one_is_set(admin, team, platforms, settings):
    settings.SVAR_OAUTH_CALLBACK_BASE_URL = "https://svar.example.dk"
    started = admin.post("/channels/connect/x", {"team": team.pk, "poll_interval_seconds": 30})
    assert redirect_uri_of(started["Location"]) == "https://svar.example.dk/channels/x/callback"


def test_a_state_that_does_not_match_is_refused_and_nothing_is_created(admin, team, platforms):
    path, query = through_consent(
        admin, "/channels/connect/x", {"team": team.pk, "poll_interval_seconds": 30}
    )
    landed = admin.get(path, {**query, "state": "not-the-state-svar-sent"}, follow=True)
    assert "This connection link is not valid" in landed.content.decode()
    assert 'role="alert"' in landed.content.decode()
    assert not ChannelAccount.objects.exists()


def test_the_callback_belongs_to_the_admin_who_started_it(admin, team, platforms):
    path, query = through_consent(
        admin, "/channels/connect/x", {"team": team.pk, "poll_interval_seconds": 30}
    )
    another_admin = signed_in(AgentFactory(role=Role.ADMIN))
    landed = another_admin.get(path, query, follow=True)
    assert "This connection link is not valid" in landed.content.decode()
    assert not ChannelAccount.objects.exists()


def test_denied_consent_connects_nothing_and_says_so(admin, team, platforms):
    path, query = through_consent(
        admin, "/channels/connect/x", {"team": team.pk, "poll_interval_seconds": 30}, "deny"
    )
    assert query["error"] == "access_denied"
    landed = admin.get(path, query, follow=True)
    text = landed.content.decode()
    assert "You did not allow Svar access on X, so nothing was connected." in text
    assert not ChannelAccount.objects.exists()


def test_a_callback_used_twice_is_refused_the_second_time(admin, team, platforms):
    path, query = through_consent(
        admin, "/channels/connect/x", {"team": team.pk, "poll_interval_seconds": 30}
    )
    admin.get(path, query)
    again = admin.get(path, query, follow=True)
    assert "This connection link was already used" in again.content.decode()
    assert ChannelAccount.objects.count() == 1


def test_connecting_an_account_that_exists_reconnects_it_in_place(admin, team, other_team,
                                                                  platforms):  # fmt: skip
    existing = ChannelAccountFactory(
        team=team, external_id=demo.X_ACCOUNT_ID, display_name="@old", poll_cursor={"since": "9"},
        health=AccountHealth.UNHEALTHY, reconnect_needed=True, reconnect_reason="revoked",
    )  # fmt: skip
    path, query = through_consent(
        admin, "/channels/connect/x", {"team": other_team.pk, "poll_interval_seconds": 30}
    )
    admin.get(path, query)
    account = ChannelAccount.objects.get()
    assert account.pk == existing.pk
    assert account.team_id == team.pk  # not duplicated, not moved
    assert account.poll_cursor == {"since": "9"}
    assert account.health == AccountHealth.HEALTHY
    assert not account.reconnect_needed


def test_a_poll_interval_below_the_minimum_is_refused_on_the_form(admin, team, platforms):
    response = admin.post("/channels/connect/x", {"team": team.pk, "poll_interval_seconds": 2})
    assert response.status_code == 400
    assert "greater than or equal to 5" in response.content.decode()
    response = admin.post("/channels/connect/x", {"team": 999999, "poll_interval_seconds": 30})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


# --- reconnect and disconnect -----------------------------------------------------------------


def test_reconnect_gives_the_same_account_new_tokens_and_polls_it_at_once(admin, team,
                                                                          platforms):  # fmt: skip
    account = ChannelAccountFactory(
        team=team, external_id=demo.X_ACCOUNT_ID, poll_cursor={"mentions": "42"},
        health=AccountHealth.UNHEALTHY, reconnect_needed=True, reconnect_reason="revoked",
    )  # fmt: skip
    path, query = through_consent(admin, f"/channels/{account.pk}/reconnect")
    landed = admin.get(path, query, follow=True)
    account.refresh_from_db()
    assert account.token_kind == TokenKind.X_USER
    assert not account.reconnect_needed
    assert account.poll_cursor == {"mentions": "42"}
    assert account.next_poll_at is not None
    assert account.next_poll_at <= timezone.now()
    assert "is connected." in landed.content.decode()


def test_disconnect_asks_first_then_stops_polling_and_keeps_the_history(admin, x_account,
                                                                        conversation):  # fmt: skip
    confirm = admin.get(f"/channels/{x_account.pk}/disconnect")
    assert confirm.status_code == 200
    assert f"Disconnect {x_account.display_name}?" in confirm.content.decode()

    landed = admin.post(f"/channels/{x_account.pk}/disconnect", follow=True)

    x_account.refresh_from_db()
    assert x_account.disconnected_at is not None
    assert not x_account.is_active
    assert "is disconnected" in landed.content.decode()
    assert conversation.__class__.objects.filter(account=x_account).exists()
    assert AuditEntry.objects.filter(object_type="channel_account", object_id=x_account.pk,
                                     action="account.disconnected").exists()  # fmt: skip
    assert admin.get(f"/channels/{x_account.pk}/disconnect").status_code == 302


def test_an_unknown_account_is_not_found(admin):
    assert admin.post("/channels/999999/reconnect").status_code == 404
    assert admin.get("/channels/999999/disconnect").status_code == 404
    assert admin.post("/channels/999999/disconnect").status_code == 404


# --- connecting Facebook Pages ----------------------------------------------------------------


def test_facebook_pages_are_offered_with_their_tasks_and_the_chosen_one_connected(
    admin, team, platforms
):
    platforms.fault("graph", FaultKind.MISSING_TASKS, remaining=2)  # the offer and the choice
    path, query = through_consent(
        admin, "/channels/connect/facebook", {"team": team.pk, "poll_interval_seconds": 60}
    )
    assert path == "/channels/facebook/callback"
    offered = admin.get(path, query, follow=True)
    text = offered.content.decode()
    assert offered.redirect_chain[-1][0] == "/channels/facebook/pages"
    assert demo.FACEBOOK_PAGE_NAME in text
    assert "Missing: MODERATE, MESSAGING" in text
    assert admin.get("/channels/facebook/pages").status_code == 200  # a reload shows it again

    landed = admin.post("/channels/facebook/pages", {"page_ids": [demo.FACEBOOK_PAGE_ID]},
                        follow=True)  # fmt: skip

    account = ChannelAccount.objects.get(platform="facebook")
    assert (account.external_id, account.team_id) == (demo.FACEBOOK_PAGE_ID, team.pk)
    assert account.missing_permissions == ["MODERATE", "MESSAGING"]
    text = landed.content.decode()
    assert f"{demo.FACEBOOK_PAGE_NAME} is connected." in text
    assert "Missing Page tasks: MODERATE, MESSAGING" in text
    assert admin.get("/channels/facebook/pages", follow=True).redirect_chain  # offer gone


def test_choosing_no_page_is_refused_and_the_offer_stays(admin, team, platforms):
    path, query = through_consent(
        admin, "/channels/connect/facebook", {"team": team.pk, "poll_interval_seconds": 60}
    )
    admin.get(path, query)
    response = admin.post("/channels/facebook/pages", {})
    assert response.status_code == 400
    assert "Choose at least one Page." in response.content.decode()
    response = admin.post("/channels/facebook/pages", {"page_ids": ["123-not-offered"]})
    assert response.status_code == 400
    assert not ChannelAccount.objects.exists()


def test_denied_facebook_consent_connects_nothing(admin, team, platforms):
    form = {"team": team.pk, "poll_interval_seconds": 60}
    path, query = through_consent(admin, "/channels/connect/facebook", form, "deny")
    landed = admin.get(path, query, follow=True)
    assert "nothing was connected" in landed.content.decode()
    assert not ChannelAccount.objects.exists()


def test_the_page_speaks_danish_to_an_admin_who_chose_it(team, platforms):
    dane = AgentFactory(role=Role.ADMIN, language="da")
    ChannelAccountFactory(
        team=team, token_kind=TokenKind.X_USER, refresh_token_encrypted=seal("r-1"),
        token_expires_at=timezone.now() + timedelta(hours=2),
    )  # fmt: skip
    page = page_text(signed_in(dane))
    assert "Kanaler" in page
    assert "Fornyer sig selv" in page
    assert "Forbind en X-konto" in page
