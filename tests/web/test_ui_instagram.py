"""Instagram in a real browser: a citizen's comment under the account's post arrives live, the
agent answers it publicly under her own name and privately with a private reply, and the
simulated Instagram received both."""

from __future__ import annotations

import time

import pytest

from connectors.simulator.graph.app import GraphApp
from inbox.credentials import seal
from inbox.models import ChannelAccount, PrivateReply
from tests.web.browser_support import (
    LIVE_TIMEOUT_MS,
    expect,
    log_in,
    new_page,
    row,
    shot,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]
PAGE_ID, PAGE_TOKEN = "100000000000001", "fb-ui-page-token"
IG_ID = "17841400000000042"
CITIZEN = {"id": "6700000000000041", "username": "kirsten.madsen"}


def _until(condition, what: str) -> None:
    deadline = time.monotonic() + LIVE_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen in time")


def test_an_instagram_comment_is_answered_publicly_with_the_signature_and_privately(
    stack, chromium, contexts
):
    graph = GraphApp()
    graph.add_page(PAGE_ID, "Skattestyrelsen", PAGE_TOKEN)
    graph.instagram.link_account(PAGE_ID, IG_ID, "skattemor")
    stack.sim_server.simulator.apps.append(graph)
    ChannelAccount.objects.create(
        platform="instagram", display_name="@skattemor", external_id=IG_ID, handle="skattemor",
        team=stack.team, credentials_encrypted=seal(PAGE_TOKEN),
        base_url=stack.sim_server.base_url, poll_interval_seconds=1,
    )  # fmt: skip
    stack.mette.signatures = {**stack.mette.signatures, "instagram": " /Mette"}
    stack.mette.save(update_fields=["signatures"])
    page = log_in(new_page(chromium, contexts), stack, "mette")

    media = graph.instagram.add_media(IG_ID, "Husk fristen 1. maj 📅")
    comment = graph.instagram.add_comment(
        media["id"], CITIZEN, "Gælder fristen også, hvis jeg bor i udlandet?"
    )

    expect(row(page, "kirsten.madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(row(page, "kirsten.madsen").locator(".platform")).to_have_text("Instagram")
    row(page, "kirsten.madsen").click()
    expect(page.locator("#pane")).to_be_visible(timeout=LIVE_TIMEOUT_MS)  # a loaded machine
    expect(page.locator("#counter")).not_to_be_empty()
    page.locator("#composer-body").fill("Ja, den gælder også dig.")
    expect(page.locator("#preview")).to_contain_text("Ja, den gælder også dig. /Mette")
    page.get_by_role("button", name="Send", exact=True).click()
    _until(lambda: graph.instagram.replies(IG_ID)["comments"], "the public reply")
    [public] = graph.instagram.replies(IG_ID)["comments"]
    assert public["text"] == "Ja, den gælder også dig. /Mette"
    assert public["in_reply_to"] == comment["id"]

    # The pane redraws when the delivery is announced: fill the private reply after that.
    expect(page.locator('.entry.outbound[data-state="sent"]')).to_have_count(
        1, timeout=LIVE_TIMEOUT_MS
    )
    entry = page.locator(".entry.inbound", has_text="bor i udlandet")
    field = entry.get_by_label("Reply privately (one message, within 7 days of the comment)")
    field.fill("Skriv dit skattenummer til os her, så tjekker vi det.")
    expect(field).to_have_value("Skriv dit skattenummer til os her, så tjekker vi det.")
    entry.get_by_role("button", name="Send privately").click()
    expect(entry.locator("[data-private-reply]")).to_have_attribute(
        "data-private-reply", "sent", timeout=LIVE_TIMEOUT_MS
    )
    [private] = graph.instagram.replies(IG_ID)["messages"]
    assert private["comment_id"] == comment["id"]
    assert private["text"] == "Skriv dit skattenummer til os her, så tjekker vi det. /Mette"
    assert PrivateReply.objects.get().state == "sent"
    # The private reply starts a DM thread with the citizen (not with the account itself).
    expect(row(page, "Private")).to_contain_text("kirsten.madsen", timeout=LIVE_TIMEOUT_MS)
    shot(page, "instagram-replies")
