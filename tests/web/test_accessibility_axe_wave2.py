"""WCAG 2.1 A and AA by axe-core (issue #18 point 4) on the pages and states the second wave
added: the customer page and its erasure, team retention, a photo in the thread, legal hold
and a mention grant, the notification centre, the mention suggestions and the profile's
notification switches. Zero violations. Then the notification centre and the mention list
from the keyboard alone."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from connectors.simulator import demo
from connectors.simulator.x import media as x_media
from inbox.models import Conversation, NotificationKind, Team
from inbox.services import note_create
from inbox.services.notifications import Notice, notifications_mark_read, notify
from tests.factories import AgentFactory
from tests.media.media_support import cdn, jpeg_with_gps  # noqa: F401 (fixture)
from tests.web.browser_support import (
    CUSTOMER,
    LIVE_TIMEOUT_MS,
    PASSWORD,
    expect,
    log_in,
    new_page,
    open_conversation,
    row,
)
from tests.web.test_accessibility_axe import Findings, admin
from tests.web.test_ui_media import settled

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]
NAMESAKE = {"id": "99001", "username": "kirsten_madsen", "name": "Kirsten Madsen"}


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


def two_notifications_one_read(stack, conversation: Conversation) -> None:
    """Lars mentions Mette (unread) and assigned her a conversation (read)."""
    assigned = NotificationKind.ASSIGNED_TO_ME
    notify([Notice(stack.mette.pk, assigned, conversation.pk, actor_id=stack.lars.pk)])
    notifications_mark_read(user=stack.mette.user)
    note_create(user=stack.lars.user, conversation_id=conversation.pk, body="Kig her, @mette")


def customer_with_a_photo(stack, cdn) -> None:  # noqa: F811
    """Kirsten tweets, then writes a DM with a photo; a namesake looks like her."""
    stack.mention("Hvornår kommer min årsopgørelse?")
    photo = x_media.photo(cdn.url(cdn.host.put("brev.jpg", jpeg_with_gps(), "image/jpeg")),
                          alt_text="Et brev om restskat")  # fmt: skip
    stack.sim.add_dm(demo.X_ACCOUNT_ID, CUSTOMER, "Her er brevet", media=[photo])
    stack.sim.add_dm(demo.X_ACCOUNT_ID, NAMESAKE, "Hej")


def test_every_page_of_the_second_wave_has_no_wcag_violation(
    stack,
    birgit,
    chromium,
    contexts,
    cdn,  # noqa: F811
):
    admin(stack)
    customer_with_a_photo(stack, cdn)
    findings = Findings()
    page = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(page, "Her er brevet")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    settled(1)
    tweet = Conversation.objects.get(kind="public")
    two_notifications_one_read(stack, tweet)
    page.reload()  # the centre loads on opening; the test's own ring cannot run in this loop
    expect(page.locator("#notification-list li.unread")).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("#notification-list li.read")).to_have_count(1)
    findings.check(page, "inbox with the notification centre, read and unread")

    open_conversation(page, "Her er brevet")
    expect(page.locator(".media-view img")).to_be_visible()
    findings.check(page, "conversation with a photo thumbnail")
    page.get_by_label("Internal note").check()
    page.locator("#composer-body").press_sequentially("Spørg @la")
    expect(page.get_by_role("option", name="Lars Holm (@lars)")).to_be_visible()
    findings.check(page, "note composer with the mention suggestions open")
    page.locator("#composer-body").press_sequentially("zz")
    expect(page.locator("#mention-list")).to_contain_text("No colleague by that name.")
    findings.check(page, "note composer with no colleague to suggest")

    page.goto(f"{stack.base_url}/profile/")
    page.get_by_label("A conversation is assigned to me").uncheck()
    page.get_by_role("button", name="Update notifications").click()
    expect(page.get_by_label("A conversation is assigned to me")).not_to_be_checked()
    findings.check(page, "profile with a notification switch off")

    anna = log_in(new_page(chromium, contexts), stack, "anna")
    note_create(user=stack.mette.user, conversation_id=tweet.pk, body="@birgit kan du svare?")
    anna.goto(f"{stack.base_url}/conversations/{tweet.pk}/")
    anna.get_by_role("button", name="Put on legal hold").click()
    expect(anna.get_by_role("button", name="Release legal hold")).to_be_visible()
    expect(anna.locator("#grants")).to_contain_text("Birgit Hansen")
    findings.check(anna, "conversation on legal hold with a mention grant")

    anna.goto(f"{stack.base_url}/teams/{stack.team.pk}/retention")
    findings.check(anna, "team retention")
    anna.get_by_label("Days").first.fill("365")
    anna.get_by_role("button", name="Save").first.click()
    expect(anna.locator("#retention")).to_contain_text("365 days")
    findings.check(anna, "team retention with a policy")

    anna.goto(f"{stack.base_url}/customers/{tweet.contact_id}/")
    expect(anna.locator("#customer-suggestions")).to_contain_text("kirsten_madsen")
    expect(anna.locator("#customer-conversations li")).to_have_count(2)
    expect(anna.locator("#customer-erase")).to_be_visible()
    findings.check(anna, "customer with conversations, suggestions and the data request")
    anna.locator("#customer-erase input[type=checkbox]").check()
    anna.locator("#customer-erase button").click()
    expect(anna.locator("#erased-held")).to_be_visible()
    findings.check(anna, "erasure done, a conversation kept on legal hold")
    findings.assert_none()


def tab_to(page, target, key: str = "Tab") -> None:
    """Tab (or Shift+Tab) until ``target`` has the focus: reachable from the keyboard, in order."""
    for _ in range(60):
        page.keyboard.press(key)
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"not reachable with {key}")


def test_the_notification_centre_and_the_mention_list_work_from_the_keyboard(
    stack, birgit, chromium, contexts
):
    stack.mention("Hvornår kommer min årsopgørelse?")
    page = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    two_notifications_one_read(stack, Conversation.objects.get())
    page.reload()
    unread = page.locator("#notification-list li.unread a")
    expect(unread).to_have_accessible_name("Lars Holm mentioned you in a note (unread)")
    read = page.locator("#notification-list li.read a")
    expect(read).to_have_accessible_name("Lars Holm assigned a conversation to you")

    tab_to(page, unread)
    page.keyboard.press("Enter")  # the link's own: the conversation opens, the item is read
    expect(page.locator("#pane")).to_be_visible()
    expect(page.locator("#notification-list li.unread")).to_have_count(0)
    expect(page.locator("#notification-unread")).to_be_hidden()
    expect(page.locator("#notification-list a").first).to_have_accessible_name(
        "Lars Holm mentioned you in a note"
    )

    page.keyboard.press("r")  # to the composer
    # back past the customer's language to the modes: arrows choose the internal note
    tab_to(page, page.get_by_role("radio", name="Public reply"), key="Shift+Tab")
    page.keyboard.press("ArrowRight")
    expect(page.get_by_label("Internal note")).to_be_checked()
    composer = page.locator("#composer-body")
    tab_to(page, composer)  # back at once: the blur's late close must not shut the list
    page.keyboard.type("Spørg @")
    options = page.locator("#mention-list").get_by_role("option")
    expect(options.first).to_have_attribute("aria-selected", "true")
    count = options.count()
    assert count >= 2, "every colleague is suggested"
    page.keyboard.press("ArrowUp")  # wraps to the last
    last = options.nth(count - 1)
    expect(last).to_have_attribute("aria-selected", "true")
    expect(composer).to_have_attribute("aria-activedescendant", f"mention-{count - 1}")
    page.keyboard.press("Escape")  # closes the list, not the conversation
    expect(page.locator("#mention-list")).to_be_hidden()
    expect(composer).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#pane")).to_be_visible()
    composer.press_sequentially("b")
    expect(page.get_by_role("option", name="Birgit Hansen (@birgit) · HR")).to_be_visible()
    page.keyboard.press("Enter")
    expect(composer).to_have_value("Spørg @birgit ")
