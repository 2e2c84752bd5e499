"""WCAG 2.1 A and AA, checked by axe-core (tests/web/axe/, pinned) in headless Chromium on every
page Svar shows and each page's main states. Zero violations: a new one fails CI."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User

from inbox.permissions.roles import Role
from tests.factories import AgentFactory
from tests.inbox.metrics_support import Clock
from tests.web.axe_support import axe_violations, describe
from tests.web.browser_support import (
    LIVE_TIMEOUT_MS,
    PASSWORD,
    PHONE,
    expect,
    log_in,
    new_page,
    open_conversation,
    row,
)
from tests.web.test_ui_metrics import answered_conversation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]


class Findings(dict):
    def check(self, page, state: str, *, error_page: bool = False) -> None:
        page.wait_for_load_state("load")
        assert page.locator(".error-page").count() == (1 if error_page else 0), state
        found = axe_violations(page)
        if found:
            self[state] = describe(found)

    def assert_none(self) -> None:
        assert not self, "\n\n".join(f"== {state}\n{text}" for state, text in self.items())


def admin(stack) -> None:
    agent = AgentFactory(
        user__username="anna", public_name="Anna Berg", initials="AB", teams=[stack.team],
        role=Role.ADMIN, signatures={"x": " /Anna"},
    )  # fmt: skip
    user = User.objects.get(pk=agent.user_id)
    user.set_password(PASSWORD)
    user.save()


def test_every_page_of_the_agent_has_no_wcag_violation(stack, chromium, contexts):
    findings = Findings()
    page = new_page(chromium, contexts)
    page.goto(f"{stack.base_url}/login/")
    findings.check(page, "login")
    stack.mention("Hvornår kommer min årsopgørelse?")
    log_in(page, stack, "mette")
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    findings.check(page, "inbox list")
    page.goto(f"{stack.base_url}/?view=all&q=årsopgørelse&platform=x")
    expect(row(page, "Kirsten Madsen")).to_be_visible()
    findings.check(page, "inbox list with filters")

    # A colleague has the same conversation open: presence shows in the list and the pane.
    colleague = log_in(new_page(chromium, contexts), stack, "lars")
    open_conversation(colleague, "Kirsten Madsen")
    page.goto(f"{stack.base_url}/")
    open_conversation(page, "Kirsten Madsen")
    expect(page.locator("#pane")).to_contain_text("Lars", timeout=LIVE_TIMEOUT_MS)
    page.locator("#composer-body").fill("Den kommer i marts.")
    expect(page.locator("#preview")).to_have_text("Den kommer i marts. /Mette")
    findings.check(page, "conversation with composer and presence")

    page.locator("#composer-body").fill("Skriv til mette@example.dk")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#guard-dialog")).to_be_visible()
    findings.check(page, "personal-data dialog")
    page.locator("[data-guard=cancel]").click()
    page.locator("[data-action=open-handover]").click()
    expect(page.locator("#handover-dialog")).to_be_visible()
    findings.check(page, "handover dialog")

    page.goto(f"{stack.base_url}/profile/")
    findings.check(page, "profile")
    page.goto(f"{stack.base_url}/nowhere/")
    findings.check(page, "not found", error_page=True)
    page.goto(f"{stack.base_url}/accessibility/")
    findings.check(page, "accessibility statement")

    phone = log_in(new_page(chromium, contexts, viewport=PHONE), stack, "mette")
    findings.check(phone, "inbox list on a phone")
    open_conversation(phone, "Kirsten Madsen")
    findings.check(phone, "conversation on a phone")
    findings.assert_none()


ADMIN_PAGES = [
    ("/guidelines/", "guidelines"),
    ("/approvals/", "approvals"),
    ("/channels/", "channels"),
    ("/teams/", "teams"),
    ("/people/", "people"),
    ("/people/invite", "invite a person"),
    ("/welcome/", "first-run guide"),
    ("/profile/", "profile of an admin"),
]


def test_every_page_of_managers_and_admins_has_no_wcag_violation(
    stack, chromium, contexts, monkeypatch
):
    admin(stack)
    clock = Clock(monkeypatch)
    for customer, minutes in [("Kirsten", 12), ("Jens", 40), ("Ulla", 525)]:
        answered_conversation(
            clock, stack.account, stack.mette, customer=customer, waited=timedelta(minutes=minutes)
        )
    findings = Findings()
    page = log_in(new_page(chromium, contexts), stack, "anna")
    page.goto(f"{stack.base_url}/metrics/")
    findings.check(page, "metrics dashboard with figures and charts")
    page.locator("#table-agents").get_by_role("link", name="Mette Jensen").click()
    page.wait_for_url(re.compile(r"/metrics/intervals\?"))
    findings.check(page, "metrics drill-down")
    for path, state in ADMIN_PAGES:
        page.goto(f"{stack.base_url}{path}")
        findings.check(page, state)
    page.goto(f"{stack.base_url}/accounts/{stack.account.pk}/moderation")
    findings.check(page, "automatic moderation")
    page.goto(f"{stack.base_url}/people/{stack.mette.pk}/")
    findings.check(page, "a person")
    findings.assert_none()
