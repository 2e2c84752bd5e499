"""In Swedish and in Norwegian, at a desk and on a phone, an agent who is also a manager logs
in, answers a customer, opens the dashboard and saves the profile (and is told so), and no
English is left on any screen of the walk (issue #18): checked against Svar's own catalogue by
tests/web/english_left.py."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from inbox.permissions.roles import Role, roles_set
from tests.web.browser_support import (
    DESKTOP,
    LIVE_TIMEOUT_MS,
    PASSWORD,
    PHONE,
    expect,
    new_page,
    open_conversation,
    row,
    shot,
    wait_live,
)  # fmt: skip
from tests.web.english_left import english_on_screen

WALK = {
    "sv": {
        "locale": "sv-SE", "username": "Användarnamn", "password": "Lösenord",
        "log_in": "Logga in", "question": "Hej! När kommer min deklaration?",
        "answer": "Den kommer i april.", "sent": "Skickat", "dashboard": "Svarstider",
        "save": "Spara", "saved": "Din profil är sparad.",
    },
    "nb": {
        "locale": "nb-NO", "username": "Brukernavn", "password": "Passord",
        "log_in": "Logg inn", "question": "Hei! Når kommer skattemeldingen min?",
        "answer": "Den kommer i april.", "sent": "Sendt", "dashboard": "Svartider",
        "save": "Lagre", "saved": "Profilen din er lagret.",
    },
}  # fmt: skip
# Words of the test's own data, not of Svar's UI.
DATA = {"Kirsten", "Madsen", "kirsten", "skattefar", "demo", "Mette", "Jensen", "Skat"}


def _no_english(page: Page, language: str) -> None:
    page.wait_for_load_state("networkidle")
    assert english_on_screen(page, language, allowed=DATA) == []


@pytest.mark.parametrize("language", ["sv", "nb"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_login_answer_dashboard_leave_no_english(stack, chromium, contexts, language, viewport):
    words = WALK[language]
    roles_set(User.objects.get(pk=stack.mette.user_id), [Role.AGENT, Role.MANAGER])
    stack.mention(words["question"])
    page = new_page(chromium, contexts, viewport=viewport, locale=words["locale"])

    page.goto(f"{stack.base_url}/login/")
    _no_english(page, language)
    page.get_by_label(words["username"]).fill("mette")
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.get_by_role("button", name=words["log_in"]).click()
    page.wait_for_url(f"{stack.base_url}/")
    wait_live(page)
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    _no_english(page, language)

    open_conversation(page, "Kirsten Madsen")
    page.locator("#composer-body").fill(words["answer"])
    page.locator("#send").click()
    reply = page.locator(".entry.outbound", has_text=words["answer"])
    expect(reply.locator(".delivery")).to_have_text(words["sent"], timeout=LIVE_TIMEOUT_MS)
    _no_english(page, language)
    shot(page, f"languages-{language}-{viewport['width']}-conversation")

    page.goto(f"{stack.base_url}/metrics/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(words["dashboard"])
    _no_english(page, language)
    shot(page, f"languages-{language}-{viewport['width']}-dashboard")

    page.goto(f"{stack.base_url}/profile/")
    _no_english(page, language)
    page.get_by_role("button", name=words["save"]).click()
    expect(page.get_by_role("status")).to_contain_text(words["saved"])
    _no_english(page, language)


def test_the_check_finds_english_on_a_page_in_english(stack, chromium, contexts):
    """A browser asking for Finnish gets English without an error, and the check sees it."""
    page = new_page(chromium, contexts, locale="fi-FI")

    response = page.goto(f"{stack.base_url}/login/")

    assert response is not None
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "en")
    found = english_on_screen(page, "sv")
    assert any(re.search(r"\bpassword\b", text) for text in found), found
