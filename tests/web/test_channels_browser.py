"""In a real browser against Svar under uvicorn, with a real RQ worker and the platform
simulator: an admin connects an X account and a Facebook Page through the simulator's consent
pages on the Channels page, and a question on each arrives in the inbox. The X token is set to
expire within seconds and is renewed with no failed poll. Then the X user revokes Svar's
refresh token: the Channels page says "Reconnect needed", and a reconnect resumes from the
saved cursor with no message lost or doubled. Screenshots go to test-artifacts/ui/."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import django_rq
import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from connectors.simulator import demo
from connectors.simulator.faults import Fault, FaultKind
from connectors.simulator.graph.app import GraphApp
from connectors.simulator.server import Simulator, SimulatorServer
from connectors.simulator.x.app import XApp
from inbox.models import Agent, ChannelAccount, Message, Team
from inbox.permissions.roles import Role
from tests.connectors.worker_support import WorkerProcess
from tests.factories import AgentFactory
from tests.web.browser_support import LIVE_TIMEOUT_MS, new_page, row, shot, wait_live
from tests.web.servers import AsgiServer

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "svar-channels-browser"
KIRSTEN = {"id": "2244994945", "username": "kirsten_m", "name": "Kirsten Madsen"}
OLE = {"id": "783214", "username": "ole_s", "name": "Ole Sørensen"}
SHORT_LIFETIME = 6  # seconds: the first X access token's life


@dataclass
class ChannelStack:
    server: AsgiServer
    sim: SimulatorServer
    x: XApp
    graph: GraphApp
    worker: WorkerProcess
    team: Team
    admin: Agent

    @property
    def base_url(self) -> str:
        return self.server.origin


@pytest.fixture
def channel_stack(
    channel_prefix: str, transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ChannelStack]:
    """Svar as deployed with its OAuth apps pointed at the simulator; no account connected."""
    django_rq.get_connection("default").flushdb()
    x = XApp()
    x.add_account(demo.X_ACCOUNT_ID, demo.X_ACCOUNT_USERNAME, demo.X_ACCOUNT_NAME, demo.X_TOKEN)
    graph = GraphApp()
    graph.add_page(demo.FACEBOOK_PAGE_ID, demo.FACEBOOK_PAGE_NAME, demo.FACEBOOK_TOKEN)
    sim = SimulatorServer(Simulator([x, graph])).start()
    apps = {
        "SVAR_X_CLIENT_ID": "svar-browser-client", "SVAR_X_CLIENT_SECRET": "svar-browser-secret",
        "SVAR_FACEBOOK_APP_ID": "4242", "SVAR_FACEBOOK_APP_SECRET": "svar-browser-fb-secret",
        "SVAR_X_OAUTH_BASE_URL": sim.base_url, "SVAR_FACEBOOK_OAUTH_BASE_URL": sim.base_url,
    }  # fmt: skip
    for name, value in apps.items():
        monkeypatch.setenv(name, value)  # the web process and the worker read them
    team = Team.objects.create(name="Skat")
    admin = AgentFactory(user__username="ada", public_name="Ada Admin", role=Role.ADMIN)
    user = User.objects.get(pk=admin.user_id)
    user.set_password(PASSWORD)
    user.save()
    server = AsgiServer().start()
    worker = WorkerProcess(env={**apps, "SVAR_CHANNEL_PREFIX": channel_prefix}, name="channels")
    try:
        yield ChannelStack(server, sim, x, graph, worker, team, admin)
    finally:
        worker.stop()
        server.stop()
        sim.stop()


def eventually(check: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.25)


def log_in(page: Page, stack: ChannelStack) -> None:
    page.goto(f"{stack.base_url}/login/")
    page.get_by_label(re.compile("Username|Brugernavn")).fill("ada")
    page.get_by_label(re.compile("Password|Adgangskode")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Log in|Log ind")).click()
    page.wait_for_url(f"{stack.base_url}/")


def start_connecting(page: Page, stack: ChannelStack, button: str) -> None:
    """On the Channels page: the team, a 5-second poll, the Connect button; then consent."""
    page.get_by_role("link", name="Channels").click()
    expect(page.get_by_role("heading", name="Channels", exact=True)).to_be_visible()
    page.get_by_label("Team").select_option(label=stack.team.name)
    page.get_by_label("Poll every (seconds)").fill("5")
    page.get_by_role("button", name=button).click()
    page.wait_for_url(f"{stack.sim.base_url}/**")
    page.locator('button[value="allow"]').click()  # the platform's consent button


def arrives_in_inbox(page: Page, stack: ChannelStack, text: str) -> None:
    page.goto(f"{stack.base_url}/")
    wait_live(page)
    expect(row(page, text)).to_be_visible(timeout=LIVE_TIMEOUT_MS)


def x_account() -> ChannelAccount:
    return ChannelAccount.objects.get(platform="x", external_id=demo.X_ACCOUNT_ID)


def texts() -> list[str]:
    return sorted(Message.objects.filter(direction="in").values_list("text", flat=True))


def connect_x_with_a_token_expiring_in_seconds(page: Page, stack: ChannelStack) -> None:
    stack.sim.simulator.faults.add(Fault(kind=FaultKind.SHORT_TOKEN, platform="x", remaining=1,
                                         lifetime_seconds=SHORT_LIFETIME))  # fmt: skip
    start_connecting(page, stack, "Connect an X account")
    expect(page.get_by_text(f"@{demo.X_ACCOUNT_USERNAME} is connected.")).to_be_visible()
    expect(page.get_by_text("Renews itself")).to_be_visible()
    account = x_account()
    assert account.team_id == stack.team.pk
    assert account.token_expires_at < timezone.now() + timedelta(seconds=SHORT_LIFETIME + 1)

    stack.x.add_mention(demo.X_ACCOUNT_ID, KIRSTEN, "Hvornår kommer min årsopgørelse?")
    arrives_in_inbox(page, stack, "Hvornår kommer min årsopgørelse?")
    # The worker renews the token before it ends; no poll fails meanwhile.
    eventually(lambda: x_account().token_expires_at > timezone.now() + timedelta(hours=1),
               "the short-lived token renewed")  # fmt: skip
    time.sleep(SHORT_LIFETIME)  # the first token is dead now; polls go on with the new one
    stack.x.add_mention(demo.X_ACCOUNT_ID, KIRSTEN, "Og hvad med fradraget?")
    arrives_in_inbox(page, stack, "Og hvad med fradraget?")
    account = x_account()
    assert (account.health, account.consecutive_failures, account.last_error) == ("healthy", 0, "")


def connect_a_facebook_page(page: Page, stack: ChannelStack) -> None:
    start_connecting(page, stack, "Connect Facebook Pages")
    expect(page.get_by_role("heading", name="Choose Facebook Pages")).to_be_visible()
    shot(page, "channels-facebook-pages")
    page.get_by_label(demo.FACEBOOK_PAGE_NAME).check()
    page.get_by_role("button", name="Connect the chosen Pages").click()
    expect(page.get_by_text(f"{demo.FACEBOOK_PAGE_NAME} is connected.")).to_be_visible()
    post = stack.graph.add_post(demo.FACEBOOK_PAGE_ID, "Nyt om årsopgørelsen")
    stack.graph.add_comment(post["id"], {"id": "7001", "name": "Kirsten Madsen"},
                            "Kan I hjælpe med min forskudsopgørelse?")  # fmt: skip
    arrives_in_inbox(page, stack, "Kan I hjælpe med min forskudsopgørelse?")


def revoke_then_reconnect(page: Page, stack: ChannelStack) -> None:
    before = texts()
    cursor_before = x_account().poll_cursor
    stack.x.oauth.revoke_refresh_tokens(demo.X_ACCOUNT_ID)  # the user revoked Svar on x.com
    stack.x.add_mention(demo.X_ACCOUNT_ID, OLE, "Er I der stadig?")
    # Two hours on, the access token nears its end: the renewal finds the refresh token dead.
    ChannelAccount.objects.filter(pk=x_account().pk).update(
        token_expires_at=timezone.now() + timedelta(seconds=30)
    )
    eventually(lambda: x_account().reconnect_needed, "the account marked reconnect needed")
    page.goto(f"{stack.base_url}/channels/")
    account_row = page.locator(f'tr[data-account="{x_account().pk}"]')
    expect(account_row).to_contain_text("Reconnect needed")
    expect(page.locator(".channel-warnings")).to_contain_text(f"@{demo.X_ACCOUNT_USERNAME}")
    shot(page, "channels")
    paused = x_account()
    assert texts() == before  # paused, nothing stored twice, nothing lost (it waits at X)

    account_row.get_by_role("button", name=re.compile("Reconnect")).click()
    page.wait_for_url(f"{stack.sim.base_url}/**")
    page.locator('button[value="allow"]').click()
    expect(page.get_by_text(f"@{demo.X_ACCOUNT_USERNAME} is connected.")).to_be_visible()
    revived = x_account()
    assert revived.pk == paused.pk
    assert revived.poll_cursor == paused.poll_cursor
    assert not revived.reconnect_needed
    arrives_in_inbox(page, stack, "Er I der stadig?")
    after = texts()
    assert len(after) == len(set(after)) == len(before) + 1  # the paused one once, none doubled
    assert cursor_before is not None


def test_an_admin_connects_x_and_facebook_and_a_revoked_token_is_reconnected(
    chromium, contexts, channel_stack
):
    page = new_page(chromium, contexts)
    log_in(page, channel_stack)

    connect_x_with_a_token_expiring_in_seconds(page, channel_stack)
    connect_a_facebook_page(page, channel_stack)
    revoke_then_reconnect(page, channel_stack)

    assert ChannelAccount.objects.count() == 2  # reconnected, never duplicated
