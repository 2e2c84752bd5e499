"""In the browser: an agent attaches a photo to a reply with the file picker (and others by
dropping one on the composer and pasting one into the text), sees each listed with a labelled
remove button, removes two, sends, and the simulated X received the upload and posted the
reply with its media id."""

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
PASTE = """(bytes) => {
  const data = new DataTransfer();
  data.items.add(new File([new Uint8Array(bytes)], "pasted.png", { type: "image/png" }));
  const paste = { clipboardData: data, bubbles: true, cancelable: true };
  document.querySelector("#composer-body").dispatchEvent(new ClipboardEvent("paste", paste));
}"""


def _open(page) -> None:
    """Open Kirsten's conversation; a click that lands while the live list re-renders its
    rows (the "new conversation" update) is made again."""
    for _ in range(3):
        row(page, "Kirsten Madsen").click()
        try:
            expect(page.locator("#pane")).to_be_visible(timeout=3000)
            break
        except AssertionError:
            continue
    open_conversation(page, "Kirsten Madsen")


def test_an_agent_attaches_a_photo_and_the_platform_receives_it_with_the_reply(
    stack, chromium, contexts, tmp_path
):
    stack.mention("Kan I se på mit brev?")
    page = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    _open(page)
    photo = tmp_path / "svar.jpg"
    photo.write_bytes(image_bytes("JPEG", (120, 80)))

    page.get_by_label("Attach a file").set_input_files(str(photo))
    listed = page.locator("#attachment-list li", has_text="svar.jpg")
    expect(listed).to_contain_text("Photo")
    page.evaluate(DROP, list(image_bytes("PNG")))
    dropped = page.locator("#attachment-list li", has_text="dropped.png")
    expect(dropped).to_be_visible()
    shot(page, "composer-attachments")
    page.evaluate(PASTE, list(image_bytes("PNG")))
    pasted = page.locator("#attachment-list li", has_text="pasted.png")
    expect(pasted).to_be_visible()
    page.get_by_role("button", name="Remove pasted.png").click()
    page.get_by_role("button", name="Remove dropped.png").click()
    expect(dropped).to_have_count(0)
    expect(pasted).to_have_count(0)
    expect(page.get_by_label("Attach a file")).to_be_focused()

    page.locator("#composer-body").fill("Her er svaret som billede.")
    page.get_by_role("button", name="Send", exact=True).click()

    outbound = page.locator(".entry.outbound", has_text="Her er svaret som billede. /Mette")
    expect(outbound).to_have_attribute("data-state", "sent", timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("#attachment-list li")).to_have_count(0)
    page.reload()  # the thread as rendered by the server names the file that went out
    _open(page)
    sent_reply = page.locator(".entry.outbound", has_text="Her er svaret som billede.")
    expect(sent_reply.locator(".reply-files")).to_contain_text("svar.jpg")
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
    _open(page)
    fake = tmp_path / "brev.jpg"
    fake.write_bytes(b"<!DOCTYPE html><html><script>alert(1)</script></html>")

    page.get_by_label("Attach a file").set_input_files(str(fake))

    expect(page.locator("#composer-msg")).to_contain_text("brev.jpg cannot be attached")
    expect(page.locator("#composer-msg")).to_contain_text("text/html")
    expect(page.locator("#attachment-list li")).to_have_count(0)


def test_photos_alone_go_out_signed_and_the_channels_count_is_said_when_a_file_is_added(
    stack, chromium, contexts, tmp_path
):
    """Four photos for a post on X; a fifth is refused as it is added, naming the limit; one is
    removed on the server (the list survives a reload); Send with no text posts the photos
    with the signature alone, and the thread lists them at once."""
    stack.mention("Kan I se på mine kvitteringer?")
    page = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    _open(page)
    photos = []
    for n in range(5):
        photos.append(tmp_path / f"kvittering-{n}.jpg")
        photos[-1].write_bytes(image_bytes("JPEG", (60 + n, 40)))
    listed = page.locator("#attachment-list li")

    page.get_by_label("Attach a file").set_input_files([str(p) for p in photos])

    expect(page.locator("#composer-msg")).to_contain_text(
        "kvittering-4.jpg cannot be attached: A post on X carries at most 4 file(s)"
    )
    expect(listed).to_have_count(4)
    page.get_by_role("button", name="Remove kvittering-3.jpg").click()
    expect(listed).to_have_count(3)
    assert ReplyAttachment.objects.count() == 3  # removed on the server, not only on screen
    page.reload()
    _open(page)
    expect(listed).to_have_count(3)  # the agent's own unsent files, listed again

    page.get_by_role("button", name="Send", exact=True).click()

    outbound = page.locator(".entry.outbound", has_text="/Mette")
    expect(outbound).to_have_attribute("data-state", "sent", timeout=LIVE_TIMEOUT_MS)
    for n in range(3):
        expect(outbound.locator(".reply-files")).to_contain_text(f"kvittering-{n}.jpg")
    expect(listed).to_have_count(0)
    (posted,) = stack.sim.posted_replies(demo.X_ACCOUNT_ID)
    assert posted["text"].startswith("/Mette https://t.co/")
    assert len(posted["attachments"]["media_keys"]) == 3
