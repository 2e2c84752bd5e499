"""Connecting Facebook Pages through Facebook Login, watching their expiry, disconnecting them,
against the simulated Graph API over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from connectors import jobs
from connectors.simulator.faults import Fault, FaultKind
from connectors.simulator.graph.app import GraphApp
from connectors.simulator.server import Simulator, SimulatorServer
from inbox.exceptions import InvalidInput, OAuthFailed
from inbox.models import AccountHealth, AuditAction, AuditEntry, ChannelAccount, TokenKind
from inbox.selectors.channel_accounts import channel_account_list_expiring
from inbox.services.channels import (
    channel_account_disconnect,
    facebook_oauth_finish,
    facebook_pages_connect,
    facebook_token_inspect,
    oauth_connection_start,
)
from tests.connectors.facebook_support import KIRSTEN, PAGE_ID, PAGE_NAME, TOKEN
from tests.inbox.channel_oauth_support import REDIRECT_URI, consent, oauth_apps

pytestmark = pytest.mark.django_db(transaction=True)
SECOND_PAGE = "100000000000002"


class Graph:
    def __init__(self, app: GraphApp, server: SimulatorServer) -> None:
        self.app, self.server = app, server

    def fault(self, kind: FaultKind, **options: object) -> None:
        self.server.simulator.faults.add(Fault(kind=kind, platform="graph", **options))


@pytest.fixture
def graph() -> Iterator[Graph]:
    app = GraphApp()
    app.add_page(PAGE_ID, PAGE_NAME, TOKEN)
    app.add_page(SECOND_PAGE, "Motorstyrelsen", "fb-second-page-token")
    server = SimulatorServer(Simulator([app])).start()
    try:
        with oauth_apps(server.base_url):
            yield Graph(app, server)
    finally:
        server.stop()


def offer(user, team, decision: str = "allow"):
    started = oauth_connection_start(
        user=user,
        platform="facebook",
        team_id=team.pk,
        poll_interval_seconds=30,
        redirect_uri=REDIRECT_URI,
    )
    query = consent(started.authorize_url, decision)
    # What the callback view passes on: Facebook adds error_reason and friends.
    callback = {k: v for k, v in query.items() if k in ("state", "code", "error")}
    return facebook_oauth_finish(user=user, **callback)


def test_an_admin_picks_a_page_and_its_messages_arrive(graph, admin_agent, team):
    pages = offer(admin_agent.user, team)
    assert {p.page_id for p in pages.pages} == {PAGE_ID, SECOND_PAGE}
    assert all(p.missing_tasks == () for p in pages.pages)

    (account,) = facebook_pages_connect(
        user=admin_agent.user, attempt_id=pages.attempt_id, page_ids=[PAGE_ID]
    )

    assert account.external_id == PAGE_ID
    assert account.token_kind == TokenKind.FACEBOOK_PAGE
    assert account.team == team
    assert account.data_access_expires_at > timezone.now() + timedelta(days=60)
    assert ChannelAccount.objects.count() == 1
    graph.app.add_messenger_message(
        PAGE_ID, KIRSTEN["id"], KIRSTEN["name"], "Hvornår får jeg svar?"
    )
    assert jobs.poll_account(account.pk).startswith("stored 1")


def test_the_choice_is_made_once_and_only_among_the_offered_pages(graph, admin_agent, team):
    pages = offer(admin_agent.user, team)
    with pytest.raises(InvalidInput):
        facebook_pages_connect(user=admin_agent.user, attempt_id=pages.attempt_id, page_ids=["999"])
    facebook_pages_connect(user=admin_agent.user, attempt_id=pages.attempt_id, page_ids=[PAGE_ID])
    with pytest.raises(OAuthFailed, match="already connected"):
        facebook_pages_connect(
            user=admin_agent.user, attempt_id=pages.attempt_id, page_ids=[SECOND_PAGE]
        )
    assert ChannelAccount.objects.count() == 1


def test_a_page_lacking_tasks_is_connected_with_the_missing_tasks_named(graph, admin_agent, team):
    graph.fault(FaultKind.MISSING_TASKS)
    pages = offer(admin_agent.user, team)
    choice = next(p for p in pages.pages if p.page_id == PAGE_ID)
    assert set(choice.missing_tasks) == {"MODERATE", "MESSAGING"}

    (account,) = facebook_pages_connect(
        user=admin_agent.user, attempt_id=pages.attempt_id, page_ids=[PAGE_ID]
    )
    assert set(account.missing_permissions) == {"MODERATE", "MESSAGING"}
    entry = AuditEntry.objects.get(action=AuditAction.ACCOUNT_CREATED)
    assert set(entry.details["missing_permissions"]) == {"MODERATE", "MESSAGING"}


def test_denied_consent_connects_nothing(graph, admin_agent, team):
    with pytest.raises(OAuthFailed, match="did not allow Svar access on Facebook"):
        offer(admin_agent.user, team, decision="deny")
    assert not ChannelAccount.objects.exists()


def test_data_access_ending_within_a_week_is_listed_for_admins(graph, admin_agent, team):
    graph.fault(FaultKind.DATA_ACCESS_EXPIRING, lifetime_seconds=3 * 24 * 3600)
    pages = offer(admin_agent.user, team)
    (account,) = facebook_pages_connect(
        user=admin_agent.user, attempt_id=pages.attempt_id, page_ids=[PAGE_ID]
    )

    assert [a.pk for a in channel_account_list_expiring(user=admin_agent.user)] == [account.pk]
    assert facebook_token_inspect(account.pk) == "expires soon"


def test_disconnect_keeps_a_shared_grant_until_the_last_page_goes(graph, admin_agent, team):
    pages = offer(admin_agent.user, team)
    first, second = facebook_pages_connect(
        user=admin_agent.user, attempt_id=pages.attempt_id, page_ids=[PAGE_ID, SECOND_PAGE]
    )
    graph.app.add_messenger_message(PAGE_ID, KIRSTEN["id"], KIRSTEN["name"], "Hej")
    jobs.poll_account(first.pk)

    channel_account_disconnect(user=admin_agent.user, account_id=first.pk)
    assert facebook_token_inspect(second.pk) == "checked"  # the grant still works for the other
    channel_account_disconnect(user=admin_agent.user, account_id=second.pk)

    revocations = [
        e.details["revocation"]
        for e in AuditEntry.objects.filter(action=AuditAction.ACCOUNT_DISCONNECTED).order_by("pk")
    ]
    assert revocations == ["kept: another account uses the same Facebook grant", "revoked"]
    first.refresh_from_db()
    assert not first.is_active
    assert first.messages.count() == 1  # history kept
    assert jobs.poll_account(first.pk) == "skipped: account gone or inactive"


def test_a_revoked_grant_found_by_the_daily_inspection_needs_a_reconnect(graph, admin_agent, team):
    pages = offer(admin_agent.user, team)
    (account,) = facebook_pages_connect(
        user=admin_agent.user, attempt_id=pages.attempt_id, page_ids=[PAGE_ID]
    )
    consent = next(iter(graph.app.oauth.grants.tokens.values())).consent
    graph.app.oauth.grants.revoke(consent)  # the admin removed Svar in Facebook's settings

    assert facebook_token_inspect(account.pk) == "reconnect needed"
    account.refresh_from_db()
    assert account.health == AccountHealth.UNHEALTHY
    assert account.reconnect_needed


def test_the_maintenance_pass_inspects_page_tokens_once_a_day(graph, admin_agent, team,
                                                               clean_queues):  # fmt: skip
    pages = offer(admin_agent.user, team)
    (account,) = facebook_pages_connect(user=admin_agent.user, attempt_id=pages.attempt_id,
                                        page_ids=[PAGE_ID])  # fmt: skip
    assert jobs.dispatch()["inspections"] == 0  # inspected when connected

    ChannelAccount.objects.filter(pk=account.pk).update(
        token_checked_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    assert jobs.dispatch()["inspections"] == 1
    assert jobs.dispatch()["inspections"] == 0  # already queued under inspect-<id>


def test_a_pages_linked_instagram_account_is_offered_and_connected_with_the_page_token(
    graph, admin_agent, team
):
    ig_id = "17841400000000001"
    graph.app.instagram.link_account(PAGE_ID, ig_id, "skattemor")
    pages = offer(admin_agent.user, team)
    [linked] = [p for p in pages.pages if p.instagram_id]
    assert (linked.page_id, linked.instagram_username) == (PAGE_ID, "skattemor")

    (account,) = facebook_pages_connect(
        user=admin_agent.user, attempt_id=pages.attempt_id, page_ids=[f"instagram:{ig_id}"]
    )

    assert (account.platform, account.external_id) == ("instagram", ig_id)
    assert (account.display_name, account.handle) == ("@skattemor", "skattemor")
    assert account.token_kind == TokenKind.FACEBOOK_PAGE
    media = graph.app.instagram.add_media(ig_id, "Husk fristen")
    graph.app.instagram.add_comment(media["id"], {"id": "9001", "username": "kirsten"}, "Hej?")
    assert jobs.poll_account(account.pk).startswith("stored 1")
