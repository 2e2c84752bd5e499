"""What a new agent and a new manager tripped over (issue #18), each fixed and kept fixed: every
spec here failed before its fix, in headless Chromium against Svar under uvicorn."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from inbox.services import messages_ingest
from tests.factories import inbound
from tests.web.browser_support import PHONE, expect, log_in, new_page, shot

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
