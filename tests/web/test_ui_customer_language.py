"""What Svar writes to a customer is proposed in the customer's language, not the agent's
(issue #18): a Danish agent of a team whose customers write Swedish is offered Swedish texts, and
can pick another language for this customer."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from inbox.models import Agent, Team
from tests.web.browser_support import (
    LIVE_TIMEOUT_MS,
    log_in,
    new_page,
    open_conversation,
    row,
    shot,
)  # fmt: skip


def test_a_danish_agent_writes_to_a_swedish_customer_in_swedish(stack, chromium, contexts):
    Team.objects.filter(pk=stack.team.pk).update(customer_language="sv")
    Agent.objects.filter(pk=stack.mette.pk).update(language="da")
    stack.mention("Hej! Kan ni kolla mitt ärende?")
    page = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    open_conversation(page, "Kirsten Madsen")
    language = page.get_by_label("Kundens sprog")
    expect(language).to_have_value("sv")

    page.locator("#composer-body").fill("Vi har hittat ditt CPR 010190-1234.")
    page.get_by_role("button", name="Send", exact=True).click()
    page.locator("#guard-dialog").get_by_role("button", name="Bed om en privat besked").click()
    composer = page.locator("#composer-body")
    expect(composer).to_have_value(re.compile(r"^Hej Kirsten Madsen! För att vi ska kunna hjälpa"))
    language.select_option("da")  # this customer writes Danish after all
    expect(composer).to_have_value(re.compile(r"^Hej Kirsten Madsen, så vi kan hjælpe"))
    language.select_option("sv")
    composer.fill("")

    page.get_by_role("button", name="Overdrag…").click()
    dialog = page.locator("#handover-dialog")
    dialog.get_by_label("Kollega").select_option(label="Lars Holm")
    dialog.get_by_label("Fortæl det til kunden (et svar underskrevet af dig)").check()
    expect(dialog.get_by_label("Besked til kunden")).to_have_value(
        "Min kollega Lars Holm tar över härifrån."
    )
    shot(page, "customer-language-handover")
    dialog.get_by_role("button", name="Overdrag", exact=True).click()
    expect(page.locator(".pane-facts")).to_contain_text("Tildelt Lars Holm")
    posted = page.locator(".entry.outbound", has_text="tar över härifrån")
    expect(posted).to_be_visible(timeout=LIVE_TIMEOUT_MS)
