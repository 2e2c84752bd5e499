"""In the browser, two agents of different teams (issue #17): Mette mentions Birgit of HR in an
internal note, choosing her from the composer's suggestions by keyboard; Birgit is notified
live, opens the conversation from the notification and adds a note; Mette sees it live, and
Birgit sees Mette's next note live too, until Mette withdraws her access."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from inbox.models import AuditEntry, ConversationGrant, Team
from tests.factories import AgentFactory
from tests.web.browser_support import (
    LIVE_TIMEOUT_MS,
    PASSWORD,
    expect,
    log_in,
    new_page,
    open_conversation,
    row,
    shot,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]


# Birgit's tab is in the background: the page sees document.hidden, and the desktop
# notifications it raises (through Chromium's own Notification API) are recorded.
BACKGROUND_TAB = """
Object.defineProperty(document, "hidden", { get: () => true });
window.shown = [];
const Real = window.Notification;
window.Notification = class extends Real {
  constructor(title, options) { super(title, options); window.shown.push(options.body); }
};
"""


@pytest.fixture
def birgit(stack):
    agent = AgentFactory(
        user__username="birgit", public_name="Birgit Hansen", initials="BH",
        teams=[Team.objects.create(name="HR")],
    )  # fmt: skip
    user = User.objects.get(pk=agent.user_id)
    user.set_password(PASSWORD)
    user.save()
    return agent


def test_a_mention_pulls_in_a_colleague_of_another_team_live(stack, birgit, chromium, contexts):
    stack.mention("Må jeg trække befordring fra?")
    mette = log_in(new_page(chromium, contexts), stack, "mette")
    hr = new_page(chromium, contexts)
    hr.context.grant_permissions(["notifications"], origin=stack.base_url)
    hr.add_init_script(BACKGROUND_TAB)
    hr = log_in(hr, stack, "birgit")
    expect(row(mette, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(row(hr, "Kirsten Madsen")).to_have_count(0)  # not Birgit's team
    open_conversation(mette, "Kirsten Madsen")

    mette.get_by_label("Internal note").check()
    composer = mette.locator("#composer-body")
    composer.press_sequentially("Kan du svare, @bir")
    suggestion = mette.get_by_role("option", name="Birgit Hansen (@birgit) · HR")
    expect(suggestion).to_have_attribute("aria-selected", "true")
    composer.press("Enter")  # the keyboard chooses: no click
    expect(composer).to_have_value("Kan du svare, @birgit ")
    composer.press_sequentially("om befordring?")
    mette.get_by_role("button", name="Add note").click()
    expect(mette.locator(".entry.note", has_text="@birgit om befordring?")).to_be_visible()

    notification = hr.locator("#notification-list li.unread")
    expect(notification).to_contain_text(
        "Mette Jensen mentioned you in a note", timeout=LIVE_TIMEOUT_MS
    )
    expect(hr.locator("#notification-unread")).to_have_text("1")
    assert hr.evaluate("window.shown") == ["Mette Jensen mentioned you in a note"]
    shot(hr, "mention-notification")
    notification.get_by_role("link").click()
    expect(hr.locator("#pane")).to_be_visible()
    expect(hr.locator(".entry.note", has_text="om befordring?")).to_be_visible()
    expect(hr.get_by_role("button", name="Claim")).to_have_count(0)  # notes only
    expect(hr.locator("#notification-unread")).to_be_hidden()

    hr.locator("#composer-body").fill("Ja, over 24 km om dagen.")
    hr.get_by_role("button", name="Add note").click()
    expect(hr.locator(".entry.note", has_text="Ja, over 24 km")).to_be_visible()

    answer = mette.locator(".entry.note", has_text="Ja, over 24 km om dagen.")
    expect(answer).to_be_visible(timeout=LIVE_TIMEOUT_MS)  # live, without a reload
    expect(answer).to_contain_text("Birgit Hansen")
    mette.reload()
    expect(mette.locator("#grants")).to_contain_text("Birgit Hansen, added by Mette Jensen")
    shot(mette, "mention-answered")
    grant = ConversationGrant.objects.get()
    assert grant.agent_id == birgit.pk
    assert AuditEntry.objects.filter(action="conversation.granted").count() == 1

    # Birgit follows the conversation live as a guest (docs/realtime.md, "Guests").
    mette.get_by_label("Internal note").check()
    mette.locator("#composer-body").fill("Tak, Birgit!")
    mette.get_by_role("button", name="Add note").click()
    expect(hr.locator(".entry.note", has_text="Tak, Birgit!")).to_be_visible(
        timeout=LIVE_TIMEOUT_MS
    )
    mette.get_by_role("button", name="Withdraw the access of Birgit Hansen").click()
    expect(mette.locator("#grants")).to_have_count(0)
    expect(hr.locator("#access-withdrawn")).to_have_text(
        "Your access to this conversation was withdrawn.", timeout=LIVE_TIMEOUT_MS
    )
    expect(hr.locator("#pane")).to_have_count(0)
    assert not ConversationGrant.objects.exists()
    assert AuditEntry.objects.filter(action="conversation.grant_revoked").count() == 1
