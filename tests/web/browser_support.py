"""The whole product for browser tests: Svar under uvicorn, a real RQ worker, the platform
simulator, and headless Chromium driven by Playwright. Screenshots go to test-artifacts/ui/.

tests/web/conftest.py offers this module's fixtures (and Chromium's) to the web specs; other
packages import what they use from here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import django_rq
import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, BrowserContext, Page, expect

from connectors.simulator import demo
from connectors.simulator.server import Simulator, SimulatorServer
from connectors.simulator.x.app import XApp
from inbox.models import Agent, ChannelAccount, Team
from tests.connectors.worker_support import WorkerProcess
from tests.factories import AgentFactory
from tests.web.chromium import chromium
from tests.web.servers import AsgiServer

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"
PASSWORD = "svar-browser-test"
CREDENTIAL = "SVAR_CREDENTIAL_X_UI_TEST"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CUSTOMER = {"id": "2244994945", "username": "kirsten_m", "name": "Kirsten Madsen"}
LIVE_TIMEOUT_MS = 20_000  # a poll every ~2 s (worker maintenance) plus the doorbell


@dataclass
class Stack:
    server: AsgiServer
    sim: XApp
    sim_server: SimulatorServer
    worker: WorkerProcess
    team: Team
    account: ChannelAccount
    mette: Agent
    lars: Agent

    @property
    def base_url(self) -> str:
        return self.server.origin

    def fault(self, kind: str, **options: object) -> None:
        from connectors.simulator.faults import Fault, FaultKind

        self.sim_server.simulator.faults.add(Fault(kind=FaultKind(kind), platform="x", **options))

    def mention(self, text: str, author: dict[str, str] = CUSTOMER) -> dict:
        return self.sim.add_mention(demo.X_ACCOUNT_ID, author, text)

    def posted(self) -> list[str]:
        return [t["text"] for t in self.sim.posted_replies(demo.X_ACCOUNT_ID)]


def _agent(username: str, public_name: str, initials: str, team: Team, signature: str) -> Agent:
    agent = AgentFactory(
        user__username=username,
        public_name=public_name,
        initials=initials,
        teams=[team],
        signatures={"x": signature},
    )
    user = User.objects.get(pk=agent.user_id)
    user.set_password(PASSWORD)
    user.save()
    return agent


@pytest.fixture
def stack(
    channel_prefix: str, transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Stack]:
    """Svar as deployed, on the test database: web process, worker, and the simulated X."""
    django_rq.get_connection("default").flushdb()  # no jobs left over from an earlier run
    app = XApp()
    app.add_account(demo.X_ACCOUNT_ID, demo.X_ACCOUNT_USERNAME, demo.X_ACCOUNT_NAME, demo.X_TOKEN)
    sim_server = SimulatorServer(Simulator([app])).start()
    team = Team.objects.create(name="Skat")
    account = ChannelAccount.objects.create(
        platform="x", display_name="@skattefar_demo", external_id=demo.X_ACCOUNT_ID,
        handle=demo.X_ACCOUNT_USERNAME, team=team, credentials_ref=CREDENTIAL,
        base_url=sim_server.base_url, poll_interval_seconds=1,
    )  # fmt: skip
    mette = _agent("mette", "Mette Jensen", "MJ", team, " /Mette")
    lars = _agent("lars", "Lars Holm", "LH", team, " /Lars")
    monkeypatch.setenv(CREDENTIAL, demo.X_TOKEN)
    server = AsgiServer().start()
    worker = WorkerProcess(
        env={CREDENTIAL: demo.X_TOKEN, "SVAR_CHANNEL_PREFIX": channel_prefix}, name="ui"
    )
    try:
        yield Stack(server, app, sim_server, worker, team, account, mette, lars)
    finally:
        worker.stop()
        server.stop()
        sim_server.stop()


PAGE_ERRORS: list[str] = []  # uncaught script errors of the current test's pages


@pytest.fixture
def contexts(chromium: Browser) -> Iterator[list[BrowserContext]]:
    """Browser contexts a test opens (one per agent); closed afterwards. A script error on
    any page fails the test."""
    opened: list[BrowserContext] = []
    PAGE_ERRORS.clear()
    yield opened
    for context in opened:
        context.close()
    assert not PAGE_ERRORS, f"script errors in the browser: {PAGE_ERRORS}"


def new_page(
    chromium: Browser,
    contexts: list[BrowserContext],
    *,
    viewport: dict[str, int] = DESKTOP,
    locale: str = "en-GB",
) -> Page:
    context = chromium.new_context(viewport=viewport, locale=locale)
    context.set_default_timeout(10_000)
    contexts.append(context)
    page = context.new_page()
    page.on("pageerror", lambda error: PAGE_ERRORS.append(str(error)))
    return page


def sign_in_form(page: Page, username: str) -> None:
    page.get_by_label(re.compile("Username|Brugernavn")).fill(username)
    page.get_by_label(re.compile("Password|Adgangskode")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Log in|Log ind")).click()


def log_in(page: Page, stack: Stack, username: str) -> Page:
    page.goto(f"{stack.base_url}/login/")
    sign_in_form(page, username)
    page.wait_for_url(f"{stack.base_url}/")
    wait_live(page)
    return page


def wait_live(page: Page) -> None:
    """The WebSocket has said hello and caught up."""
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")


def row(page: Page, text: str):
    return page.locator("#rows > .row", has_text=text)


def open_conversation(page: Page, text: str) -> None:
    row(page, text).click()
    expect(page.locator("#pane")).to_be_visible()
    # The composer's first preview (the signature alone) has arrived.
    expect(page.locator("#counter")).not_to_be_empty()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


__all__ = [
    "DESKTOP", "LIVE_TIMEOUT_MS", "PHONE", "Stack", "chromium", "contexts", "expect",
    "log_in", "new_page", "open_conversation", "row", "shot", "sign_in_form", "stack",
    "wait_live",
]  # fmt: skip
