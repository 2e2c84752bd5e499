"""WCAG 2.1 beyond what axe-core sees, in headless Chromium: the whole answer flow with the
keyboard alone, live regions for what arrives, reflow at 320 px and 200 % zoom, reduced motion;
and the composer telling the truth about the reply it sent (issue #18)."""

from __future__ import annotations

import re

import pytest

from connectors.simulator import demo
from tests.web.browser_support import (
    CUSTOMER,
    LIVE_TIMEOUT_MS,
    PASSWORD,
    expect,
    log_in,
    new_page,
    open_conversation,
    row,
    wait_live,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]


def tab_to(page, selector: str, most: int = 40) -> None:
    """Tab forward until the element is focused, as a keyboard user would."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def test_the_whole_answer_flow_with_the_keyboard_alone(stack, chromium, contexts):
    stack.mention("Hvornår kommer min årsopgørelse?")
    page = new_page(chromium, contexts)
    page.goto(f"{stack.base_url}/login/")
    tab_to(page, "#id_username")
    page.keyboard.type("mette")
    tab_to(page, "#id_password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{stack.base_url}/")
    wait_live(page)
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)

    tab_to(page, "#rows")  # the list is one tab stop; arrows move inside it
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#pane-title")).to_contain_text("Kirsten Madsen")
    tab_to(page, "#composer-body")
    page.keyboard.type("Den kommer i marts.")
    expect(page.locator("#preview")).to_have_text("Den kommer i marts. /Mette")  # signature
    tab_to(page, "#send")
    page.keyboard.press("Enter")

    outbound = page.locator(".entry.outbound", has_text="Den kommer i marts. /Mette")
    expect(outbound).to_have_attribute("data-state", "sent", timeout=LIVE_TIMEOUT_MS)
    assert any(text.endswith("Den kommer i marts. /Mette") for text in stack.posted())
    # The composer says what the thread says (it said "queued" until the thread said Sent).
    expect(page.locator("#composer-msg")).to_have_text("Reply sent.")


def test_new_messages_and_collision_warnings_are_announced(stack, chromium, contexts):
    first = stack.mention("Hvornår kommer min årsopgørelse?")
    page = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    announcer = page.locator("#announcer")
    expect(announcer).to_have_attribute("aria-live", "polite")
    expect(announcer).to_have_text("New conversation from Kirsten Madsen")
    open_conversation(page, "Kirsten Madsen")

    stack.sim.add_mention(
        demo.X_ACCOUNT_ID, CUSTOMER, "Og hvad med skat?",
        conversation_id=first["conversation_id"], in_reply_to_tweet_id=first["id"],
    )  # fmt: skip
    expect(announcer).to_have_text("New message from Kirsten Madsen", timeout=LIVE_TIMEOUT_MS)

    colleague = log_in(new_page(chromium, contexts), stack, "lars")
    open_conversation(colleague, "Kirsten Madsen")
    colleague.locator("#composer-body").fill("Jeg svarer")
    presence = page.locator("#presence-line")
    expect(presence).to_have_attribute("aria-live", "polite")
    expect(presence).to_contain_text("Lars Holm is typing a reply", timeout=LIVE_TIMEOUT_MS)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("path", ["/", "/profile/", "/accessibility/"])
def test_pages_reflow_at_320_px_and_at_200_percent_zoom(stack, chromium, contexts, path):
    stack.mention("Hvornår kommer min årsopgørelse?")
    narrow = new_page(chromium, contexts, viewport={"width": 320, "height": 640})
    log_in(narrow, stack, "mette")
    narrow.goto(f"{stack.base_url}{path}")
    assert no_sideways_scroll(narrow), "320 px"
    # 200 % zoom of a 1280 px window lays out as 640 CSS px at twice the size.
    zoomed = chromium.new_context(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    contexts.append(zoomed)
    page = zoomed.new_page()
    log_in(page, stack, "mette")
    page.goto(f"{stack.base_url}{path}")
    assert no_sideways_scroll(page), "200 %"


def test_reduced_motion_is_honoured(stack, chromium, contexts):
    page = new_page(chromium, contexts)
    page.emulate_media(reduced_motion="reduce")
    log_in(page, stack, "mette")
    stack.mention("Hvornår kommer min årsopgørelse?")
    new_row = row(page, "Kirsten Madsen")
    expect(new_row).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(new_row).to_have_class(re.compile("is-new"))
    assert new_row.evaluate("(el) => getComputedStyle(el).animationName") == "none"


def test_the_over_limit_explanation_has_a_line_of_its_own(stack, chromium, contexts):
    stack.mention("Hvornår kommer min årsopgørelse?")
    page = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    open_conversation(page, "Kirsten Madsen")
    page.locator("#composer-body").fill("For langt. " * 40)
    page.get_by_role("button", name="Send", exact=True).click()
    message = page.locator("#composer-msg")
    expect(message).to_contain_text("the limit is 280")
    width = message.evaluate("(el) => el.getBoundingClientRect().width")
    foot = page.locator(".composer-foot").evaluate("(el) => el.clientWidth")
    assert width >= 0.9 * foot  # not squeezed into a column beside the counter
