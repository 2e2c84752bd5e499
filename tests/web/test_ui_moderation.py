"""Automatic moderation in a real browser: a citizen's comment with a CPR number is hidden by
the worker on X, the agent sees it with its rule, and sends the suggested private reply."""

from __future__ import annotations

import pytest

from connectors.simulator import demo
from inbox.models import AutoModerationRule, PrivateReply
from tests.web.browser_support import (
    CUSTOMER,
    LIVE_TIMEOUT_MS,
    expect,
    log_in,
    new_page,
    row,
    shot,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]


def test_a_cpr_comment_is_hidden_and_the_agent_sends_the_private_reply(stack, chromium, contexts):
    AutoModerationRule.objects.create(account=stack.account, hide_national_ids=True)
    announcement = stack.sim.state.create_tweet(demo.X_ACCOUNT_ID, "Selvangivelsen er åben")
    comment = stack.sim.add_mention(
        demo.X_ACCOUNT_ID, CUSTOMER, "Mit CPR-nummer er 010190-1234, hvor er min refusion?",
        in_reply_to_tweet_id=announcement["id"],
    )  # fmt: skip
    page = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    row(page, "Kirsten Madsen").click()

    entry = page.locator(".entry.inbound", has_text="010190-1234")
    expect(entry.locator(".moderation-hidden")).to_contain_text(
        "Hidden automatically: it contains a personal identity number", timeout=LIVE_TIMEOUT_MS
    )
    assert stack.sim.state.tweets[comment["id"]].get("hidden") is True
    expect(entry.get_by_role("button", name="Undo: show it again")).to_be_visible()
    suggestion = entry.get_by_label("Suggested private reply")
    expect(suggestion).to_have_value(  # in Kirsten's language, told from her own words
        "Hej Kirsten Madsen, vi har skjult din kommentar, fordi den indeholdt dit CPR-nummer, "
        "for at beskytte dig. Skriv til os her i en privat besked, så hjælper vi dig videre."
    )
    shot(page, "moderation-hidden")
    entry.get_by_role("button", name="Send privately").click()

    expect(entry.locator("[data-private-reply]")).to_have_attribute(
        "data-private-reply", "sent", timeout=LIVE_TIMEOUT_MS
    )
    (dm,) = stack.sim.sent_dms(demo.X_ACCOUNT_ID)
    assert dm["text"].startswith("Hej Kirsten Madsen, vi har skjult din kommentar")
    assert PrivateReply.objects.get().state == "sent"
    shot(page, "moderation-private-reply")
