"""In the browser: the open conversation's refreshes overlap (the agent's action, the live
layer's doorbell, the composer's), and their answers arrive in any order. The newest state
always wins, and what the agent is typing in the pane's header survives (issue #5)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import APIResponse, Page, Route

from inbox.models import Conversation
from tests.web.browser_support import (
    LIVE_TIMEOUT_MS,
    expect,
    log_in,
    new_page,
    open_conversation,
    row,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]

PANE = "**/conversations/*/pane"
SETTLE_MS = 1_000  # time for the page to apply (or drop) an answer once it has arrived


class HeldPane:
    """Holds back the answer to the next pane request; the page waits until it is released."""

    def __init__(self, page: Page, *, read_now: bool) -> None:
        self.page = page
        self.read_now = read_now
        self.route: Route | None = None
        self.answer: APIResponse | None = None
        page.route(PANE, self._handle)

    def _handle(self, route: Route) -> None:
        if self.route is not None:
            route.continue_()
            return
        self.route = route
        if self.read_now:  # the server's answer as of now, delivered later
            self.answer = route.fetch()

    def wait_held(self) -> None:
        for _ in range(200):
            if self.route is not None and (self.answer is not None or not self.read_now):
                return
            self.page.wait_for_timeout(25)
        raise AssertionError("the page made no pane request")

    def release(self, *, marker: str) -> None:
        """Deliver the held answer, its pane marked so the test can see whether it was shown."""
        assert self.route is not None
        answer = self.answer or self.route.fetch()
        body = answer.text().replace('id="pane" ', f'id="pane" data-probe="{marker}" ', 1)
        self.route.fulfill(response=answer, body=body)


def _open(stack, chromium, contexts) -> Page:
    stack.mention("Min forskudsopgørelse er forkert")
    page = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    open_conversation(page, "Kirsten Madsen")
    return page


def test_a_refresh_read_before_a_tag_arriving_after_it_never_undoes_the_tag(
    stack, chromium, contexts
):
    page = _open(stack, chromium, contexts)
    before = int(page.locator("#pane").get_attribute("data-version"))
    held = HeldPane(page, read_now=True)
    page.evaluate("() => { window.svar.pane.refresh(); }")  # as a live doorbell would
    held.wait_held()  # read by the server before the tag exists, its answer late

    page.get_by_placeholder("Add a tag").fill("Forskud")
    with page.expect_response(re.compile(r"/api/conversations/\d+/tags$")) as tagged:
        page.get_by_role("button", name="Add", exact=True).click()
    after = tagged.value.json()["version"]
    assert after > before
    expect(page.locator(".tag-list")).to_contain_text("forskud")

    held.release(marker="stale")
    page.wait_for_timeout(SETTLE_MS)
    expect(page.locator("#pane")).not_to_have_attribute("data-probe", "stale")
    expect(page.locator(".tag-list")).to_contain_text("forskud")
    expect(page.locator("#pane")).to_have_attribute("data-version", str(after))
    assert list(Conversation.objects.get().tags.values_list("name", flat=True)) == ["forskud"]


def test_a_tag_being_typed_survives_a_refresh_of_the_pane(stack, chromium, contexts):
    page = _open(stack, chromium, contexts)
    held = HeldPane(page, read_now=False)
    page.evaluate("() => { window.svar.pane.refresh(); }")
    held.wait_held()

    field = page.get_by_placeholder("Add a tag")
    field.fill("Forskud")
    held.release(marker="refreshed")
    expect(page.locator("#pane")).to_have_attribute("data-probe", "refreshed")  # it was shown
    expect(field).to_have_value("Forskud")
    expect(field).to_be_focused()

    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".tag-list")).to_contain_text("forskud")
    expect(field).to_have_value("")
