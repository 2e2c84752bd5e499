"""X tokens renew themselves (rotation at the simulator, over real HTTP); a dead refresh token
pauses the account until a reconnect, which resumes from the saved cursor."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from connectors import jobs
from connectors.simulator import demo
from connectors.simulator.faults import FaultKind
from inbox.credentials import account_refresh_token, account_token
from inbox.models import AccountHealth, ChannelAccount, Message, TokenKind
from inbox.selectors.channel_accounts import channel_account_list_due
from inbox.services.channels import oauth_connection_start, x_oauth_finish, x_token_renew
from inbox.services.credentials import channel_account_set_token
from tests.connectors.twitter_support import CUSTOMER, ME
from tests.inbox.channel_oauth_support import REDIRECT_URI, consent, oauth_apps

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def apps(x_sim):
    with oauth_apps(x_sim.base_url):
        yield x_sim


def connect(user, team, reconnect: ChannelAccount | None = None) -> ChannelAccount:
    started = oauth_connection_start(
        user=user,
        platform="x",
        team_id=team.pk,
        poll_interval_seconds=15,
        redirect_uri=REDIRECT_URI,
        reconnect_account_id=reconnect.pk if reconnect else None,
    )
    return x_oauth_finish(user=user, **consent(started.authorize_url))


def live(x_sim) -> dict[str, list[str]]:
    return x_sim.app.oauth.live_tokens(ME)


def test_a_token_set_to_expire_in_seconds_is_renewed_by_the_poll_without_a_failed_poll(
    apps, admin_agent, team
):
    apps.fault(FaultKind.SHORT_TOKEN, lifetime_seconds=3, remaining=1)
    account = connect(admin_agent.user, team)
    assert account.token_expires_at < timezone.now() + timedelta(seconds=5)
    first_access = account_token(ChannelAccount.objects.get(pk=account.pk))
    apps.app.add_mention(ME, CUSTOMER, "Er der nogen?")

    assert jobs.poll_account(account.pk).startswith("stored 1")
    time.sleep(3.5)  # the first token is dead by now
    apps.app.add_mention(ME, CUSTOMER, "Hallo igen")
    assert jobs.poll_account(account.pk).startswith("stored 1")

    account.refresh_from_db()
    assert account.health == AccountHealth.HEALTHY
    assert account.consecutive_failures == 0
    assert account.last_error == ""
    assert account.token_expires_at > timezone.now() + timedelta(hours=1)
    assert account_token(account) != first_access
    assert live(apps)["refresh_tokens"] == [account_refresh_token(account)]


def test_a_revoked_refresh_token_pauses_the_account_and_a_reconnect_resumes_from_the_cursor(
    apps, admin_agent, team
):
    account = connect(admin_agent.user, team)
    apps.app.add_mention(ME, CUSTOMER, "Første")
    assert jobs.poll_account(account.pk).startswith("stored 1")
    apps.app.oauth.revoke_refresh_tokens(ME)  # the user revoked Svar on x.com
    ChannelAccount.objects.filter(pk=account.pk).update(
        token_expires_at=timezone.now() + timedelta(seconds=30)
    )
    apps.app.add_mention(ME, CUSTOMER, "Anden, mens kontoen står stille")

    assert jobs.poll_account(account.pk) == "paused: reconnect needed"

    account.refresh_from_db()
    assert account.health == AccountHealth.UNHEALTHY
    assert account.reconnect_needed
    assert "refresh token was rejected" in account.reconnect_reason
    assert account.next_poll_at is None
    assert account.pk not in channel_account_list_due(now=timezone.now())
    assert Message.objects.filter(account=account).count() == 1  # nothing lost
    cursor = account.poll_cursor

    again = connect(admin_agent.user, team, reconnect=account)

    assert again.pk == account.pk
    again.refresh_from_db()
    assert not again.reconnect_needed
    assert again.health == AccountHealth.HEALTHY
    assert again.poll_cursor == cursor
    assert again.pk in channel_account_list_due(now=timezone.now())
    assert jobs.poll_account(again.pk).startswith("stored 1")
    texts = sorted(Message.objects.filter(account=again).values_list("text", flat=True))
    mentioned = f"@{demo.X_ACCOUNT_USERNAME} "
    # None lost, none doubled.
    assert texts == [mentioned + "Anden, mens kontoen står stille", mentioned + "Første"]


def test_a_reconnect_as_another_x_account_is_refused(apps, admin_agent, team):
    account = connect(admin_agent.user, team)
    apps.app.add_account("1500000000000000099", "other_handle", "Other", "other-static-token")
    started = oauth_connection_start(
        user=admin_agent.user,
        platform="x",
        team_id=team.pk,
        poll_interval_seconds=15,
        redirect_uri=REDIRECT_URI,
        reconnect_account_id=account.pk,
    )
    query = consent(started.authorize_url, login_as="other_handle")
    with pytest.raises(Exception, match="not the account being reconnected"):
        x_oauth_finish(user=admin_agent.user, **query)
    assert ChannelAccount.objects.count() == 1


def test_two_workers_renewing_at_once_leave_one_valid_token_pair(apps, admin_agent, team):
    account = connect(admin_agent.user, team)
    ChannelAccount.objects.filter(pk=account.pk).update(token_expires_at=timezone.now())
    # X answers slowly: both renewals are surely in flight together.
    apps.fault(FaultKind.SLOW, path_prefix="/2/oauth2/token", delay_seconds=1.0)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def renew() -> None:
        try:
            barrier.wait()
            outcomes.append(x_token_renew(account.pk))
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=renew) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(outcomes) == ["fresh: renewed meanwhile", "renewed"]
    account.refresh_from_db()
    assert not account.reconnect_needed
    assert live(apps)["refresh_tokens"] == [account_refresh_token(account)]
    # The stored pair works: the next renewal (forced) succeeds with the stored refresh token.
    apps.server.simulator.faults.clear()
    ChannelAccount.objects.filter(pk=account.pk).update(token_expires_at=timezone.now())
    assert x_token_renew(account.pk) == "renewed"


def test_the_maintenance_pass_queues_one_renewal_per_account(apps, admin_agent, team, clean_queues):
    account = connect(admin_agent.user, team)
    ChannelAccount.objects.filter(pk=account.pk).update(
        token_expires_at=timezone.now() + timedelta(minutes=5)
    )

    assert jobs.dispatch()["renewals"] == 1
    assert jobs.dispatch()["renewals"] == 0  # already queued under renew-<id>

    ChannelAccount.objects.filter(pk=account.pk).update(
        token_expires_at=timezone.now() + timedelta(hours=1)
    )
    from django_rq import get_queue

    get_queue(jobs.POLL_QUEUE).empty()
    assert jobs.dispatch()["renewals"] == 0  # not due


def test_x_unreachable_while_renewing_backs_the_poll_off_and_keeps_the_pair(
    apps, admin_agent, team
):
    account = connect(admin_agent.user, team)
    ChannelAccount.objects.filter(pk=account.pk).update(
        token_expires_at=timezone.now() + timedelta(seconds=60)
    )
    refresh = account_refresh_token(ChannelAccount.objects.get(pk=account.pk))
    apps.fault(FaultKind.SERVER_ERROR_HTML, path_prefix="/2/oauth2/token", remaining=3)

    assert jobs.poll_account(account.pk).startswith("failed: unavailable")

    account.refresh_from_db()
    assert account.health == AccountHealth.DEGRADED  # retried later, not paused
    assert not account.reconnect_needed
    assert account_refresh_token(account) == refresh
    apps.server.simulator.faults.clear()
    assert jobs.poll_account(account.pk).startswith("stored 0")
    account.refresh_from_db()
    assert account.token_expires_at > timezone.now() + timedelta(hours=1)


def test_a_pasted_token_replaces_the_oauth_pair_and_is_not_renewed_over(apps, admin_agent, team):
    account = connect(admin_agent.user, team)

    channel_account_set_token(user=admin_agent.user, account_id=account.pk, token="pasted-by-hand")
    ChannelAccount.objects.filter(pk=account.pk).update(token_expires_at=timezone.now())

    assert x_token_renew(account.pk) == "skipped: no refresh token"
    account.refresh_from_db()
    assert account.token_kind == TokenKind.MANUAL
    assert account_token(account) == "pasted-by-hand"


def test_without_the_x_app_configured_a_poll_backs_off_and_says_why(apps, admin_agent, team,
                                                                     settings):  # fmt: skip
    account = connect(admin_agent.user, team)
    ChannelAccount.objects.filter(pk=account.pk).update(token_expires_at=timezone.now())
    settings.SVAR_X_CLIENT_ID = ""

    assert jobs.poll_account(account.pk).startswith("failed: unavailable")

    account.refresh_from_db()
    assert account.health == AccountHealth.DEGRADED
    assert "SVAR_X_CLIENT_ID" in account.last_error
