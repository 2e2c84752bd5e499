"""In the browser: an agent attaches a photo to a reply with the file picker (and another by
dropping it on the composer), sees each listed with a labelled remove button, removes one,
sends, and the simulated X received the upload and posted the reply with its media id."""

from __future__ import annotations

import pytest

from connectors.simulator import demo
from inbox.models import ReplyAttachment
from tests.media.outbound_support import image_bytes
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
DROP = """(bytes) => {
  const data = new DataTransfer();
  data.items.add(new File([new Uint8Array(bytes)], "dropped.png", { type: "image/png" }));
  const composer = document.querySelector("#composer");
  const drop = { dataTransfer: data, bubbles: true, cancelable: true };
  composer.dispatchEvent(new DragEvent("drop", drop));
}"""


def test_an_agent_attaches_a_photo_and_the_platform_receives_it_with_the_reply(
    stack, chromium, contexts, tmp_path
):
    stack.mention("Kan I se på mit brev?")
    page = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    open_conversation(page, "Kirsten Madsen")
    photo = tmp_path / "svar.jpg"
    photo.write_bytes(image_bytes("JPEG", (120, 80)))

    page.get_by_label("Attach a file").set_input_files(str(photo))
    listed = page.locator("#attachment-list li", has_text="svar.jpg")
    expect(listed).to_contain_text("Photo")
    page.evaluate(DROP, list(image_bytes("PNG")))
    dropped = page.locator("#attachment-list li", has_text="dropped.png")
    expect(dropped).to_be_visible()
    shot(page, "composer-attachments")
    page.get_by_role("button", name="Remove dropped.png").click()
    expect(dropped).to_have_count(0)
    expect(page.get_by_label("Attach a file")).to_be_focused()

    page.locator("#composer-body").fill("Her er svaret som billede.")
    page.get_by_role("button", name="Send", exact=True).click()

    outbound = page.locator(".entry.outbound", has_text="Her er svaret som billede. /Mette")
    expect(outbound).to_have_attribute("data-state", "sent", timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("#attachment-list li")).to_have_count(0)
    (posted,) = stack.sim.posted_replies(demo.X_ACCOUNT_ID)
    (received,) = stack.sim.uploads.received()
    assert posted["text"].startswith("Her er svaret som billede. /Mette https://t.co/")
    assert posted["attachments"] == {"media_keys": [f"3_{received['media_id']}"]}
    sent = ReplyAttachment.objects.get(message__isnull=False)
    assert sent.filename == "svar.jpg"
    assert received["data"] == sent.file.read()


def test_a_file_no_reply_carries_is_refused_with_the_reason(stack, chromium, contexts, tmp_path):
    stack.mention("Hej")
    page = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    open_conversation(page, "Kirsten Madsen")
    fake = tmp_path / "brev.jpg"
    fake.write_bytes(b"<!DOCTYPE html><html><script>alert(1)</script></html>")

    page.get_by_label("Attach a file").set_input_files(str(fake))

    expect(page.locator("#composer-msg")).to_contain_text("brev.jpg cannot be attached")
    expect(page.locator("#composer-msg")).to_contain_text("text/html")
    expect(page.locator("#attachment-list li")).to_have_count(0)
