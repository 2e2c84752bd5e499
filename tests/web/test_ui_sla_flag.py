"""In the browser: a conversation about to breach its SLA target is flagged in the list, and
the flag leaves the row live when an agent answers (issue #6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from inbox.models import ResponseInterval, SlaTarget
from tests.web.browser_support import (
    LIVE_TIMEOUT_MS,
    expect,
    log_in,
    new_page,
    open_conversation,
    row,
    shot,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]


def test_an_at_risk_row_is_flagged_until_an_agent_answers(stack, chromium, contexts):
    SlaTarget.objects.create(team=stack.team, kind="first_response", target_seconds=3600,
                             business_hours=False)  # fmt: skip
    stack.mention("Hvornår får jeg min restskat at vide?")
    page = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    flag = row(page, "Kirsten Madsen").locator("[data-field=sla]")
    expect(flag).to_be_hidden()  # just arrived: nowhere near the hour

    # The customer has been waiting 50 minutes of the hour.
    ResponseInterval.objects.filter(ended_at__isnull=True).update(
        started_at=timezone.now() - timedelta(minutes=50)
    )
    page.reload()
    expect(flag).to_have_text("SLA due in 10 min")
    expect(row(page, "Kirsten Madsen")).to_contain_text("SLA due in 10 min")  # in its name
    shot(page, "sla-flag")

    open_conversation(page, "Kirsten Madsen")
    page.locator("#composer-body").fill("Den kommer i marts.")
    page.get_by_role("button", name="Send").click()
    expect(flag).to_be_hidden(timeout=LIVE_TIMEOUT_MS)


def test_a_conversation_that_arrived_live_gets_its_flag(stack, chromium, contexts):
    SlaTarget.objects.create(team=stack.team, kind="first_response", target_seconds=3600,
                             business_hours=False)  # fmt: skip
    page = log_in(new_page(chromium, contexts), stack, "mette")
    stack.mention("Hvornår får jeg min restskat at vide?")
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)  # built live
    # Its wait has run 50 minutes of the hour by the list's next tick.
    ResponseInterval.objects.filter(ended_at__isnull=True).update(
        started_at=timezone.now() - timedelta(minutes=50)
    )
    page.evaluate("() => window.svar.list.tick()")
    expect(row(page, "Kirsten Madsen").locator("[data-field=sla]")).to_have_text(
        "SLA due in 10 min"
    )
