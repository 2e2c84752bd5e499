"""In the browser, two people: a new agent's public reply waits for approval; a manager sees it
arrive live in the approval queue, edits and approves it; the simulated X shows it posted once,
signed by the agent, and the agent sees it sent."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from inbox.models import Message
from inbox.services.guidelines import guideline_rule_create
from tests.web.browser_support import (
    LIVE_TIMEOUT_MS,
    expect,
    log_in,
    new_page,
    open_conversation,
    row,
    shot,
    wait_live,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]


def test_a_new_agents_reply_waits_and_a_manager_edits_and_approves_it_live(
    stack, chromium, contexts
):
    stack.mette.needs_approval = True
    stack.mette.save()
    stack.lars.user.groups.add(Group.objects.get(name="manager"))
    stack.mention("Kan I hjælpe med min forskudsopgørelse?")
    mette = log_in(new_page(chromium, contexts), stack, "mette")
    lars = log_in(new_page(chromium, contexts), stack, "lars")
    lars.get_by_role("link", name="Approvals").click()
    wait_live(lars)
    expect(lars.locator("#approval-empty")).to_be_visible()

    expect(row(mette, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    open_conversation(mette, "Kirsten Madsen")
    mette.locator("#composer-body").fill("Det ordner vi")
    send = mette.get_by_role("button", name="Send for approval")
    expect(send).to_be_enabled()
    expect(mette.locator("#verdict")).to_contain_text("approved by a colleague")
    send.click()
    expect(mette.locator("#composer-msg")).to_contain_text("waits for a colleague's approval")
    waiting = mette.locator(".entry.outbound", has_text="Det ordner vi /Mette")
    expect(waiting).to_have_attribute("data-state", "approval", timeout=LIVE_TIMEOUT_MS)

    item = lars.locator(".approval", has_text="Mette Jensen")
    expect(item).to_be_visible(timeout=LIVE_TIMEOUT_MS)  # arrived live, no reload
    expect(item.locator(".posted")).to_have_text("Det ordner vi /Mette")
    item.get_by_label("Reply (edit before approving if needed)").fill("Det ordner vi i dag")
    shot(lars, "approval-queue")
    item.get_by_role("button", name="Approve").click()
    expect(lars.locator("#approval-empty")).to_be_visible()

    sent = mette.locator(".entry.outbound", has_text="Det ordner vi i dag /Mette")
    expect(sent).to_have_attribute("data-state", "sent", timeout=LIVE_TIMEOUT_MS)
    assert stack.posted() == ["Det ordner vi i dag /Mette"]  # once, signed by the author


def test_the_composer_shows_what_the_rules_block_and_posts_nothing(stack, chromium, contexts):
    stack.lars.user.groups.add(Group.objects.get(name="manager"))
    guideline_rule_create(
        user=stack.lars.user,
        team_id=stack.team.pk,
        data={"name": "Interne navne", "kind": "words", "action": "block", "words": ["ørnen"]},
    )
    stack.mention("Hvordan går det med projektet?")
    mette = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(mette, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    open_conversation(mette, "Kirsten Madsen")
    mette.locator("#composer-body").fill("Projekt Ørnen er forsinket.")
    verdict = mette.locator("#verdict .hit-block")
    expect(verdict).to_contain_text("“Interne navne” matched “Ørnen”.")
    mette.get_by_role("button", name="Send", exact=True).click()
    expect(mette.locator("#composer-msg")).to_contain_text("Interne navne")
    assert stack.posted() == []
    assert not Message.objects.filter(direction="out").exists()


def test_a_reply_sent_back_with_a_note_is_revised_by_its_author(stack, chromium, contexts):
    stack.mette.needs_approval = True
    stack.mette.save()
    stack.lars.user.groups.add(Group.objects.get(name="manager"))
    stack.mention("Hvornår skal jeg betale restskat?")
    mette = log_in(new_page(chromium, contexts), stack, "mette")
    lars = log_in(new_page(chromium, contexts), stack, "lars")
    lars.get_by_role("link", name="Approvals").click()
    wait_live(lars)
    expect(row(mette, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    open_conversation(mette, "Kirsten Madsen")
    mette.locator("#composer-body").fill("Snart")
    mette.get_by_role("button", name="Send for approval").click()

    item = lars.locator(".approval", has_text="Snart /Mette")
    expect(item).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    item.get_by_label("Note to the author (when sending back)").fill("Nævn datoen")
    item.get_by_role("button", name="Send back").click()

    returned = mette.locator(".entry.outbound", has_text="Snart /Mette")
    expect(returned).to_have_attribute("data-state", "returned", timeout=LIVE_TIMEOUT_MS)
    expect(returned.locator(".note")).to_have_text("Nævn datoen")
    returned.locator("textarea").fill("Senest 1. juli")
    returned.get_by_role("button", name="Send for approval again").click()
    again = mette.locator(".entry.outbound", has_text="Senest 1. juli /Mette")
    expect(again).to_have_attribute("data-state", "approval", timeout=LIVE_TIMEOUT_MS)
    expect(lars.locator(".approval", has_text="Senest 1. juli /Mette")).to_be_visible(
        timeout=LIVE_TIMEOUT_MS
    )
    assert stack.posted() == []
