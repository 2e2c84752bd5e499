"""In a real browser against Svar under uvicorn: a manager of two teams opens the dashboard,
filters by one team, drills down from an agent's figure to the conversations, and exports the
table as CSV. Screenshots go to test-artifacts/metrics/."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from inbox.models import Agent, Conversation
from inbox.permissions.roles import Role
from inbox.services import conversation_set_status, messages_ingest, reply_create
from tests.factories import AgentFactory, ChannelAccountFactory, TeamFactory, inbound
from tests.inbox.metrics_support import Clock
from tests.web.servers import AsgiServer

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "metrics"
PASSWORD = "svar-metrics-browser"

pytestmark = pytest.mark.browser  # Chromium: the `chromium` fixture (tests/web/chromium.py)


def person(username: str, name: str, teams: list, role: Role = Role.AGENT) -> Agent:
    agent = AgentFactory(user__username=username, public_name=name, teams=teams, role=role)
    user = User.objects.get(pk=agent.user_id)
    user.set_password(PASSWORD)
    user.save()
    return agent


def answered_conversation(
    clock: Clock, account, agent: Agent, *, customer: str, waited: timedelta
) -> None:
    # Answered in the past whatever the wait: an answer after now falls outside the charts.
    asked = timezone.now() - max(timedelta(hours=3), waited + timedelta(hours=1))
    messages_ingest(
        account_id=account.pk,
        messages=[inbound(thread=f"t-{customer}", author=customer, name=customer, at=asked)],
    )
    conversation = Conversation.objects.get(account=account, external_thread_id=f"t-{customer}")
    clock.at(asked + waited)
    reply_create(user=agent.user, conversation_id=conversation.pk, body="Svar")
    conversation_set_status(user=agent.user, conversation_id=conversation.pk, status="resolved")
    clock.now = None


@pytest.fixture
def world(transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> dict[str, Agent]:
    clock = Clock(monkeypatch)
    skat, told = TeamFactory(name="Skat"), TeamFactory(name="Told")
    skat_x = ChannelAccountFactory(team=skat, display_name="@skattefar")
    told_x = ChannelAccountFactory(team=told, display_name="@toldfar")
    mette = person("mette", "Mette Jensen", [skat])
    ole = person("ole", "Ole Told", [told])
    manager = person("maja", "Maja Manager", [skat, told], role=Role.MANAGER)
    answered_conversation(clock, skat_x, mette, customer="Kirsten", waited=timedelta(minutes=12))
    answered_conversation(clock, skat_x, mette, customer="Jens", waited=timedelta(minutes=40))
    answered_conversation(clock, told_x, ole, customer="Ulla", waited=timedelta(minutes=5))
    return {"manager": manager, "mette": mette, "ole": ole}


@pytest.fixture
def server(world: dict[str, Agent]) -> Iterator[AsgiServer]:
    running = AsgiServer().start()
    try:
        yield running
    finally:
        running.stop()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_manager_filters_by_team_drills_down_and_exports(chromium, server, world):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    base = server.origin

    page.goto(f"{base}/login/?next=/metrics/")
    page.get_by_label(re.compile("Username|Brugernavn")).fill("maja")
    page.get_by_label(re.compile("Password|Adgangskode")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Log in|Log ind")).click()
    page.wait_for_url(re.compile(r"/metrics/"))
    first = page.locator('.card[data-kind="first_response"]')
    expect(first).to_contain_text("3 measured")  # both teams
    shot(page, "1-dashboard-both-teams")

    page.locator("select[name=team]").select_option(label="Skat")
    page.get_by_role("button", name="Apply").click()
    expect(first).to_contain_text("2 measured")
    # Median of 12 and 40 minutes: 26 minutes.
    expect(first.locator("a.figure")).to_have_text("26 min")
    agents = page.locator("#table-agents")
    expect(agents).to_contain_text("Mette Jensen")
    expect(agents).not_to_contain_text("Ole Told")
    shot(page, "2-dashboard-team-skat")

    with page.expect_download() as download_info:
        page.locator('a[data-export="agents"]').click()
    exported = download_info.value
    rows = list(csv.DictReader(io.StringIO(Path(exported.path()).read_text())))
    assert [(r["label"], r["count"]) for r in rows] == [("Mette Jensen", "2")]
    assert float(rows[0]["median_seconds"]) == pytest.approx(26 * 60, abs=5)

    agents.get_by_role("link", name="Mette Jensen").click()
    page.wait_for_url(re.compile(r"/metrics/intervals\?"))
    table = page.locator("#intervals")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text("Kirsten")
    expect(table).to_contain_text("Jens")
    expect(table).not_to_contain_text("Ulla")
    shot(page, "3-drill-down")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV export").click()
    lines = Path(download_info.value.path()).read_text().splitlines()
    assert len(lines) == 3  # header and the two conversations
    context.close()
