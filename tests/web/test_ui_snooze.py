"""In the browser, snoozing (issue #17): Mette snoozes a customer's question for an hour; it leaves
the open list, hers and Lars's, live. When the snooze is due, the wake-up job runs in the real
RQ worker (scheduled for that moment), and the conversation comes back to both lists live,
announced to screen readers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from inbox.models import Conversation
from inbox.services.snooze import snooze_wake_schedule
from tests.web.browser_support import (
    LIVE_TIMEOUT_MS,
    expect,
    log_in,
    new_page,
    open_conversation,
    row,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]


def test_a_snoozed_conversation_leaves_the_list_and_comes_back_live_when_due(
    stack, chromium, contexts
):
    stack.mention("Hvornår kommer min årsopgørelse?")
    mette = log_in(new_page(chromium, contexts), stack, "mette")
    lars = log_in(new_page(chromium, contexts), stack, "lars")
    for page in (mette, lars):
        expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    open_conversation(mette, "Kirsten Madsen")

    mette.get_by_label("Snooze for").select_option(label="1 hour")
    asked = timezone.now()
    mette.get_by_role("button", name="Snooze", exact=True).click()

    expect(mette.locator("#snoozed-until")).to_contain_text("Snoozed until")
    expect(row(mette, "Kirsten Madsen")).to_have_count(0)
    expect(row(lars, "Kirsten Madsen")).to_have_count(0, timeout=LIVE_TIMEOUT_MS)  # live
    conversation = Conversation.objects.get()
    assert conversation.status == "snoozed"
    hour = conversation.snoozed_until - asked
    assert timedelta(minutes=59) < hour < timedelta(minutes=61)

    # An hour passes in a moment: the snooze now ends in two seconds, and the wake-up job is
    # scheduled for then, as the service schedules it; the worker's scheduler runs it.
    due = timezone.now() + timedelta(seconds=2)
    Conversation.objects.filter(pk=conversation.pk).update(snoozed_until=due)
    snooze_wake_schedule(due)

    back = row(lars, "Kirsten Madsen")
    expect(back).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(lars.locator("#announcer")).to_have_text("Kirsten Madsen is back from snooze.")
    expect(row(mette, "Kirsten Madsen")).to_be_visible()
    expect(mette.locator("#snoozed-until")).to_have_count(0)  # the open pane refreshed
    expect(mette.get_by_role("button", name="Snooze", exact=True)).to_be_visible()
    conversation.refresh_from_db()
    assert (conversation.status, conversation.snoozed_until) == ("open", None)
