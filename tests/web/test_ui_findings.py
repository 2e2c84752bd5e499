"""What a new agent and a new manager tripped over (issue #18), each fixed and kept fixed: every
spec here failed before its fix, in headless Chromium against Svar under uvicorn."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from inbox.models import Conversation, SlaTarget
from inbox.services import messages_ingest
from tests.factories import ChannelAccountFactory, TeamFactory, inbound
from tests.inbox.metrics_support import Clock
from tests.web.browser_support import PHONE, expect, log_in, new_page, shot, sign_in_form
from tests.web.servers import AsgiServer
from tests.web.test_accessibility_axe import admin
from tests.web.test_ui_metrics import answered_conversation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]


def waiting_customers(stack, names_and_hours: list[tuple[str, int]]) -> None:
    for name, hours in names_and_hours:
        at = timezone.now() - timedelta(hours=hours)
        messages_ingest(
            account_id=stack.account.pk,
            messages=[inbound(thread=f"t-{name}", author=f"a-{name}", name=name, at=at)],
        )


def customers_in_order(page) -> list[str]:
    return page.locator("#rows > .row [data-field=customer]").all_inner_texts()


def test_the_inbox_sorts_by_longest_wait_and_remembers_it(stack, chromium, contexts):
    waiting_customers(stack, [("Astrid", 3), ("Bo", 1), ("Carl", 2)])
    page = log_in(new_page(chromium, contexts), stack, "mette")
    assert customers_in_order(page) == ["Bo", "Carl", "Astrid"]  # newest activity first

    page.get_by_label("Sort").select_option(label="Longest wait")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#rows > .row").first).to_contain_text("Astrid")
    assert customers_in_order(page) == ["Astrid", "Carl", "Bo"]

    page.goto(f"{stack.base_url}/")  # another visit: the choice is remembered
    expect(page.get_by_label("Sort")).to_have_value("waiting")
    assert customers_in_order(page) == ["Astrid", "Carl", "Bo"]


def on_screen_and_tappable(page, selector: str) -> bool:
    return page.locator(selector).evaluate(
        """(el) => {
            el.scrollIntoView({block: 'center'});
            const box = el.getBoundingClientRect();
            if (box.width === 0 || box.left < 0 || box.right > window.innerWidth) return false;
            const [x, y] = [box.left + box.width / 2, box.top + box.height / 2];
            const hit = document.elementFromPoint(x, y);
            return hit === el || el.contains(hit);
        }"""
    )


def test_on_a_phone_every_filter_can_be_tapped_and_every_view_is_on_screen(
    stack, chromium, contexts
):
    waiting_customers(stack, [(f"Kunde {n}", n) for n in range(1, 12)])
    page = log_in(new_page(chromium, contexts, viewport=PHONE), stack, "mette")
    shot(page, "phone-filters")
    for control in ["#f-q", "#f-platform", "#f-team", "#f-sort", "#f-tag", ".filters button"]:
        assert on_screen_and_tappable(page, control), control
    for view in page.locator("nav.views > ul a").all():
        box = view.bounding_box()
        assert box, view.inner_text()
        assert 0 <= box["x"] <= box["x"] + box["width"] <= PHONE["width"], view.inner_text()
    no_sideways = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_sideways


def manager_on_the_dashboard(stack, chromium, contexts, monkeypatch, waits: list[int]):
    admin(stack)
    clock = Clock(monkeypatch)
    for n, minutes in enumerate(waits):
        answered_conversation(
            clock,
            stack.account,
            stack.mette,
            customer=f"Kunde {n}",
            waited=timedelta(minutes=minutes),
        )
    page = log_in(new_page(chromium, contexts), stack, "anna")
    page.goto(f"{stack.base_url}/metrics/")
    return page


def test_the_over_time_charts_axis_labels_are_not_cut(stack, chromium, contexts, monkeypatch):
    page = manager_on_the_dashboard(stack, chromium, contexts, monkeypatch, [12, 40, 525])
    labels = page.locator("svg.chart:not(.heatmap)").first.locator("text.axis")
    expect(labels.first).to_be_attached()
    lefts = labels.evaluate_all("(texts) => texts.map((t) => [t.textContent, t.getBBox().x])")
    assert any("h" in text for text, _ in lefts)  # hours: the longest labels
    assert [text for text, left in lefts if left < 0] == []


def test_about_to_breach_lists_what_is_not_yet_over_due_in_local_time(
    stack, chromium, contexts, monkeypatch
):
    SlaTarget.objects.create(
        team=stack.team, kind="first_response", target_seconds=3600, business_hours=False
    )
    waiting_customers(stack, [("Breached", 2)])
    asked = timezone.now() - timedelta(minutes=50)
    messages_ingest(account_id=stack.account.pk, messages=[inbound(thread="soon", at=asked)])
    page = manager_on_the_dashboard(stack, chromium, contexts, monkeypatch, [])
    rows = page.locator("#at-risk tbody tr")
    expect(rows).to_have_count(1)  # the breached wait is counted in the SLA table, not here
    due = (asked + timedelta(hours=1)).astimezone(ZoneInfo("Europe/Copenhagen"))
    expect(rows.first).to_contain_text(due.strftime("%H:%M"))
    assert not re.search(r"\d{4}-\d\d-\d\dT", rows.first.inner_text())


def test_another_teams_conversation_by_address_is_svars_own_404_also_in_development(
    stack, chromium, contexts
):
    other = TeamFactory(name="Told")
    account = ChannelAccountFactory(team=other)
    messages_ingest(account_id=account.pk, messages=[inbound(thread="told")])
    hidden = Conversation.objects.get(account=account)
    development = AsgiServer(env={"DEBUG": "1"}).start()
    try:
        for origin in (stack.base_url, development.origin):
            page = new_page(chromium, contexts)
            page.goto(f"{origin}/login/")
            sign_in_form(page, "mette")
            response = page.goto(f"{origin}/conversations/{hidden.pk}/")
            assert response.status == 404
            expect(page.locator(".error-page h1")).to_have_text("Page not found")
            expect(page.locator("header.topbar nav")).to_contain_text("Inbox")  # Svar's layout
            expect(page.locator("body")).not_to_contain_text("Django")
            page.goto(f"{origin}/no/such/page/")
            expect(page.locator(".error-page h1")).to_have_text("Page not found")
    finally:
        development.stop()


def test_the_site_icon_is_there(stack, chromium, contexts):
    page = new_page(chromium, contexts)
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    page.goto(f"{stack.base_url}/login/")
    icon = page.request.get(f"{stack.base_url}/favicon.ico")
    assert icon.status == 200
    assert icon.headers["content-type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert icon.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert missing == []
