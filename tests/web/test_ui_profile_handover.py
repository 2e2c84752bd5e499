"""In the browser: an agent sets how customers see them, and hands a conversation over."""

from __future__ import annotations

import pytest

from inbox.models import Conversation
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


def test_the_profile_sets_name_signature_and_language(stack, chromium, contexts):
    stack.mention("Hvornår kommer min årsopgørelse?")
    page = log_in(new_page(chromium, contexts), stack, "mette")
    page.get_by_role("link", name="Profile").click()
    page.get_by_label("Public name").fill("Mette K. Jensen")
    page.get_by_label("Signature on X").fill(" ^{initials}")
    page.get_by_label("Language").select_option("da")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_contain_text("Din profil er gemt.")
    expect(page.locator(".sample").first).to_contain_text("^MJ")
    shot(page, "profile")
    page.get_by_role("link", name="Indbakke").click()
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    open_conversation(page, "Kirsten Madsen")
    page.locator("#composer-body").fill("Den kommer i marts.")
    expect(page.locator("#preview")).to_have_text("Den kommer i marts. ^MJ")


def test_a_handover_with_a_note_to_the_customer(stack, chromium, contexts):
    stack.mention("Jeg har brug for hjælp til min bil")
    mette = log_in(new_page(chromium, contexts), stack, "mette")
    lars = log_in(new_page(chromium, contexts), stack, "lars")
    lars.goto(f"{stack.base_url}/?view=mine")
    expect(lars.locator(".empty-list")).to_be_visible()
    expect(row(mette, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    open_conversation(mette, "Kirsten Madsen")

    mette.get_by_role("button", name="Hand over…").click()
    dialog = mette.locator("#handover-dialog")
    dialog.get_by_label("Colleague").select_option(label="Lars Holm")
    dialog.get_by_label("Tell the customer (a reply signed by you)").check()
    expect(dialog.get_by_label("Note to the customer")).to_have_value(
        "Min kollega Lars Holm tager over herfra."  # the customer wrote in Danish
    )
    shot(mette, "handover")
    dialog.get_by_role("button", name="Hand over", exact=True).click()

    expect(mette.locator(".pane-facts")).to_contain_text("Assigned to Lars Holm")
    expect(row(lars, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)  # in his "Mine"
    note = mette.locator(".entry.outbound", has_text="tager over herfra. /Mette")
    expect(note).to_have_attribute("data-state", "sent", timeout=LIVE_TIMEOUT_MS)
    assert any(t.endswith("Min kollega Lars Holm tager over herfra. /Mette")
               for t in stack.posted())  # fmt: skip
    assert Conversation.objects.get().assignee == stack.lars


def test_notes_tags_and_status(stack, chromium, contexts):
    stack.mention("Min forskudsopgørelse er forkert")
    page = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    open_conversation(page, "Kirsten Madsen")

    page.get_by_label("Internal note").check()
    page.locator("#composer-body").fill("Ring til Skat Erhverv først")
    page.get_by_role("button", name="Add note").click()
    note = page.locator(".entry.note", has_text="Ring til Skat Erhverv først")
    expect(note).to_contain_text("Internal note")
    expect(note).to_contain_text("Mette Jensen")

    page.get_by_placeholder("Add a tag").fill("Forskud")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".tag-list")).to_contain_text("forskud")
    shot(page, "note-and-tag")

    page.get_by_role("button", name="Resolve").first.click()
    expect(page.locator(".pane-facts")).to_contain_text("Resolved")
    expect(row(page, "Kirsten Madsen")).to_have_count(0)  # it left "All open"
    page.get_by_role("link", name="Resolved", exact=True).click()
    expect(row(page, "Kirsten Madsen")).to_be_visible()
    conversation = Conversation.objects.get()
    assert conversation.status == "resolved"
    assert list(conversation.tags.values_list("name", flat=True)) == ["forskud"]
    assert not conversation.messages.filter(direction="out").exists()  # a note is no reply
