"""The agent's inbox in a real browser: headless Chromium against Svar under uvicorn, a real
worker polling and posting through the platform simulator."""

from __future__ import annotations

import re

import pytest

from connectors.simulator import demo
from inbox.models import Conversation, DeliveryState, Message
from tests.web.browser_support import (
    CUSTOMER,
    LIVE_TIMEOUT_MS,
    PHONE,
    expect,
    log_in,
    new_page,
    open_conversation,
    row,
    shot,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]


def test_login_and_an_inbound_message_appears_live(stack, chromium, contexts):
    page = new_page(chromium, contexts)
    page.goto(f"{stack.base_url}/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    shot(page, "login")
    log_in(page, stack, "mette")
    expect(page.locator(".empty-list")).to_be_visible()

    stack.mention("Hvornår kommer min årsopgørelse? <script>alert(1)</script>")

    new_row = row(page, "Kirsten Madsen")
    expect(new_row).to_be_visible(timeout=LIVE_TIMEOUT_MS)  # no reload: pushed live
    expect(page.locator("#announcer")).to_have_text("New conversation from Kirsten Madsen")
    expect(new_row).to_contain_text("X")
    expect(new_row).to_contain_text("Public")
    expect(new_row).to_contain_text("Unassigned")
    expect(new_row.locator(".waiting")).to_contain_text("Waiting")
    expect(new_row.locator(".snippet")).to_contain_text("<script>alert(1)</script>")  # as text
    shot(page, "inbox")

    # Keyboard: move to the row and open it.
    page.locator("body").press("j")
    page.locator("body").press("Enter")
    expect(page.locator("#pane-title")).to_contain_text("Kirsten Madsen")
    expect(page).to_have_url(re.compile(r"/conversations/\d+/"))


def test_a_reply_is_posted_with_the_agents_signature(stack, chromium, contexts):
    first = stack.mention("Hvornår kommer min årsopgørelse?")
    page = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    open_conversation(page, "Kirsten Madsen")

    page.locator("#composer-body").fill("Den kommer i marts.")
    # The preview is what the customer will see, signature included, counted as X counts.
    expect(page.locator("#preview")).to_have_text("Den kommer i marts. /Mette")
    expect(page.locator("#counter")).to_contain_text("26 / 280")
    shot(page, "composer")
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page.locator("#composer-msg")).to_contain_text("queued")
    outbound = page.locator(".entry.outbound", has_text="Den kommer i marts. /Mette")
    expect(outbound).to_have_attribute("data-state", "sent", timeout=LIVE_TIMEOUT_MS)
    assert [text for text in stack.posted() if text.endswith("Den kommer i marts. /Mette")]
    expect(page.locator(".pane-facts")).to_contain_text("Assigned to Mette Jensen")

    # The customer answers in the same thread: it appears in the open conversation, live,
    # and the draft being written stays as it is.
    page.locator("#composer-body").fill("Et udkast")
    stack.sim.add_mention(
        demo.X_ACCOUNT_ID, CUSTOMER, "Tak for svaret!",
        conversation_id=first["conversation_id"], in_reply_to_tweet_id=first["id"],
    )  # fmt: skip
    expect(page.locator(".entry.inbound", has_text="Tak for svaret!")).to_be_visible(
        timeout=LIVE_TIMEOUT_MS
    )
    expect(page.locator("#composer-body")).to_have_value("Et udkast")
    shot(page, "conversation")


def test_an_over_limit_reply_is_blocked_with_the_count_shown(stack, chromium, contexts):
    stack.mention("Et spørgsmål")
    page = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    open_conversation(page, "Kirsten Madsen")

    page.locator("#composer-body").fill("😀" * 137)  # 274 weighted + " /Mette" = 281

    expect(page.locator("#counter")).to_contain_text("281 / 280")
    expect(page.locator("#counter")).to_contain_text("1 over the limit")
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_disabled()
    page.locator("#composer-body").press("Control+Enter")
    expect(page.locator("#composer-msg")).to_contain_text("281")
    shot(page, "over-limit")
    assert not Message.objects.filter(direction="out").exists()


def test_the_personal_data_guard_proposes_a_private_message(stack, chromium, contexts):
    stack.mention("Kan I tjekke min sag?")
    page = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    open_conversation(page, "Kirsten Madsen")

    page.locator("#composer-body").fill("Vi har fundet dit CPR 010190-1234 i systemet.")
    expect(page.locator("#preview mark")).to_have_text("010190-1234")
    page.get_by_role("button", name="Send", exact=True).click()

    dialog = page.locator("#guard-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("a Danish CPR number")
    expect(dialog.get_by_role("button", name="Send publicly anyway")).to_be_hidden()
    shot(page, "personal-data-guard")
    dialog.get_by_role("button", name="Ask for a private message").click()

    # Kirsten wrote in Danish: the request is proposed in her language, not the agent's UI's
    expect(page.locator("#composer-body")).to_have_value(re.compile("privat besked"))
    assert not Message.objects.filter(direction="out").exists()


def test_two_agents_one_claims_and_types_the_other_is_warned(stack, chromium, contexts):
    stack.mention("Hjælp med forskudsopgørelsen")
    mette = log_in(new_page(chromium, contexts), stack, "mette")
    lars = log_in(new_page(chromium, contexts), stack, "lars")
    for page in (mette, lars):
        expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        open_conversation(page, "Kirsten Madsen")

    mette.get_by_role("button", name="Claim").click()
    mette.locator("#composer-body").press_sequentially("Jeg kigger på det", delay=20)

    expect(lars.locator(".pane-facts")).to_contain_text("Assigned to Mette Jensen")
    expect(row(lars, "Kirsten Madsen")).to_contain_text("Mette Jensen")
    expect(lars.locator("#presence-line")).to_contain_text("Mette Jensen is typing a reply")
    lars.locator("#composer-body").fill("Hej, jeg hjælper dig")
    lars.get_by_role("button", name="Send", exact=True).click()

    warning = lars.locator("#collision-dialog")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Mette Jensen is typing a reply to this conversation")
    expect(warning).to_contain_text("assigned to Mette Jensen")
    shot(lars, "collision-warning")
    warning.get_by_role("button", name="Don't send").click()
    assert not Message.objects.filter(direction="out").exists()


def test_a_failed_send_shows_the_reason_and_can_be_retried(stack, chromium, contexts):
    stack.mention("Et spørgsmål om moms")
    page = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    open_conversation(page, "Kirsten Madsen")
    stack.fault("expired_token", path_prefix="/2/tweets", remaining=1)

    page.locator("#composer-body").fill("Momsen skal indberettes kvartalsvis.")
    page.get_by_role("button", name="Send", exact=True).click()

    failure = page.locator(".entry.outbound .failure")
    expect(failure).to_contain_text("Not sent.", timeout=LIVE_TIMEOUT_MS)
    expect(failure).to_contain_text("access token was rejected")
    shot(page, "failed-send")
    assert stack.posted() == []
    failure.get_by_role("button", name="Retry").click()

    outbound = page.locator(".entry.outbound", has_text="kvartalsvis")
    expect(outbound).to_have_attribute("data-state", "sent", timeout=LIVE_TIMEOUT_MS)
    assert len(stack.posted()) == 1
    assert Message.objects.get(direction="out").delivery_state == DeliveryState.SENT


def test_the_danish_ui_follows_the_browser(stack, chromium, contexts):
    stack.mention("Hvornår kommer min årsopgørelse?")
    page = log_in(new_page(chromium, contexts, locale="da-DK"), stack, "mette")
    expect(page.get_by_role("link", name="Indbakke")).to_be_visible()
    expect(page.get_by_role("link", name="Alle åbne")).to_be_visible()
    expect(row(page, "Kirsten Madsen")).to_contain_text("Ikke tildelt", timeout=LIVE_TIMEOUT_MS)
    open_conversation(page, "Kirsten Madsen")
    page.locator("#composer-body").fill("Den kommer i marts.")
    expect(page.locator("#counter")).to_contain_text("26 / 280 tegn")
    shot(page, "danish")


def test_the_inbox_works_on_a_phone(stack, chromium, contexts):
    stack.mention("Hvornår kommer min årsopgørelse?")
    page = log_in(new_page(chromium, contexts, viewport=PHONE), stack, "mette")
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    shot(page, "phone-inbox")
    open_conversation(page, "Kirsten Madsen")
    expect(page.locator("#list")).to_be_hidden()  # one column at a time
    page.locator("#composer-body").scroll_into_view_if_needed()
    expect(page.locator("#composer-body")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing wider than the screen
    shot(page, "phone-conversation")
    page.reload()  # the conversation's own address renders it directly
    expect(page.locator("#pane-title")).to_contain_text("Kirsten Madsen")
    expect(page.locator("#counter")).not_to_be_empty()
    page.get_by_role("link", name="Back to the list").click()
    expect(page.locator("#list")).to_be_visible()
    assert Conversation.objects.count() == 1
