"""Reflow (WCAG 2.1 1.4.10, issue #18): every page Svar shows reads at 320 CSS px and at 200 %
zoom (a 1280 px window, laid out as 640 CSS px at twice the size) without scrolling the page
sideways. A table wider than that may scroll in a region of its own, which the keyboard can
reach (tabindex=0) and a screen reader can name (aria-label or aria-labelledby). The pages are
those the axe-core specs visit (tests/web/test_accessibility_axe*.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from inbox.models import Conversation
from tests.inbox.metrics_support import Clock
from tests.web.browser_support import LIVE_TIMEOUT_MS, expect, log_in, new_page, row
from tests.web.test_accessibility_axe import admin
from tests.web.test_ui_metrics import answered_conversation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]

NARROW = ({"width": 320, "height": 640}, 1, "320 px")
ZOOMED = ({"width": 640, "height": 400}, 2, "200 %")

# What is wrong with the page's layout at this width: the page scrolls sideways (with the
# elements that stick out), or a region scrolls sideways that the keyboard cannot reach or that
# has no name.
_REFLOW_PROBLEMS = """() => {
  const width = window.innerWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.classList.length ? "." + [...el.classList].join(".") : "");
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > width + 1) {
    const out = [...document.body.querySelectorAll("*")].filter((el) => {
      const box = el.getBoundingClientRect();
      return box.width > 0 && box.right > width + 1 &&
        ![...el.children].some((c) => c.getBoundingClientRect().right > width + 1);
    });
    problems.push(`the page scrolls sideways (${root.scrollWidth} > ${width} px): ` +
      out.slice(0, 6).map(name).join(", "));
  }
  for (const el of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    if (!["auto", "scroll"].includes(style.overflowX) || el.scrollWidth <= el.clientWidth + 1) {
      continue;
    }
    if (el.matches("textarea, input, select, pre")) continue;
    if (el.tabIndex !== 0) problems.push(`${name(el)} scrolls sideways but takes no focus`);
    if (!el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby")) {
      problems.push(`${name(el)} scrolls sideways but has no name`);
    }
  }
  return problems;
}"""


def reflow_problems(page) -> list[str]:
    page.wait_for_load_state("load")
    return page.evaluate(_REFLOW_PROBLEMS)


def walk(chromium, contexts, stack, username: str, paths: list[str]) -> dict[str, list[str]]:
    """Every path at 320 px and at 200 % zoom: what is wrong, by path and width."""
    found: dict[str, list[str]] = {}
    for viewport, scale, label in (NARROW, ZOOMED):
        context = chromium.new_context(viewport=viewport, device_scale_factor=scale)
        context.set_default_timeout(30_000)  # the machine may be busy: a slow page is no fault
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{stack.base_url}/login/")
        if problems := reflow_problems(page):
            found[f"/login/ at {label}"] = problems
        log_in(page, stack, username)
        for path in paths:
            page.goto(f"{stack.base_url}{path}")
            if problems := reflow_problems(page):
                found[f"{path} at {label}"] = problems
    return found


def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{where}:\n  " + "\n  ".join(problems) for where, problems in found.items())


def test_the_agents_pages_reflow_at_320_px_and_200_percent_zoom(stack, chromium, contexts):
    stack.mention("Hvornår kommer min årsopgørelse? Jeg har ventet længe på den nu.")
    page = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    conversation = Conversation.objects.get()
    paths = [
        "/",
        "/?view=all&q=årsopgørelse&platform=x",
        "/?view=resolved",
        f"/conversations/{conversation.pk}/",
        "/profile/",
        "/accessibility/",
        "/nowhere/",
    ]

    found = walk(chromium, contexts, stack, "mette", paths)

    assert not found, _report(found)


def test_the_managers_and_admins_pages_reflow_at_320_px_and_200_percent_zoom(
    stack, chromium, contexts, monkeypatch
):
    admin(stack)
    clock = Clock(monkeypatch)
    for customer, minutes in [("Kirsten", 12), ("Jens", 40), ("Ulla", 525)]:
        answered_conversation(
            clock, stack.account, stack.mette, customer=customer, waited=timedelta(minutes=minutes)
        )
    conversation = Conversation.objects.order_by("pk").first()
    page = log_in(new_page(chromium, contexts), stack, "anna")
    page.goto(f"{stack.base_url}/metrics/")
    drill_down = page.locator("#table-agents").get_by_role("link", name="Mette Jensen")
    drill_down_path = re.sub(r"^https?://[^/]+", "", drill_down.get_attribute("href"))
    paths = [
        "/metrics/",
        drill_down_path,
        "/guidelines/",
        "/approvals/",
        "/team-flow/",
        "/channels/",
        "/teams/",
        f"/teams/{stack.team.pk}/retention",
        "/people/",
        "/people/invite",
        f"/people/{stack.mette.pk}/",
        "/welcome/",
        f"/accounts/{stack.account.pk}/moderation",
        f"/conversations/{conversation.pk}/",
        f"/customers/{conversation.contact_id}/",
        "/profile/",
    ]

    found = walk(chromium, contexts, stack, "anna", paths)

    assert not found, _report(found)
