"""In the browser: a citizen's photo shows in the list's snippet and in the thread (thumbnail,
alt text), opens full size from the keyboard; an SVG is offered as a download, never shown."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from connectors.simulator import demo
from connectors.simulator.media_host import MediaHost
from connectors.simulator.server import Simulator, SimulatorServer
from connectors.simulator.x import media as x_media
from inbox.models import Media, MediaState
from tests.media.media_support import jpeg_with_gps
from tests.web.browser_support import (
    CUSTOMER,
    LIVE_TIMEOUT_MS,
    expect,
    log_in,
    new_page,
    row,
    shot,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture
def cdn() -> Iterator[tuple[MediaHost, str]]:
    host = MediaHost()
    server = SimulatorServer(Simulator([host])).start()
    try:
        yield host, server.base_url
    finally:
        server.stop()


def settled(count: int) -> None:
    """The worker has fetched (or refused) every file."""
    deadline = time.monotonic() + LIVE_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        if Media.objects.exclude(state=MediaState.PENDING).count() >= count:
            return
        time.sleep(0.2)
    raise AssertionError("the media were not fetched in time")


def test_a_photo_shows_in_the_list_and_thread_and_an_svg_is_only_a_download(
    stack, chromium, contexts, cdn
):
    host, base = cdn
    photo = x_media.photo(base + host.put("brev.jpg", jpeg_with_gps(), "image/jpeg"),
                          alt_text="Et brev om restskat")  # fmt: skip
    stack.sim.add_dm(demo.X_ACCOUNT_ID, CUSTOMER, "", media=[photo])
    logo = base + host.put("logo.svg", SVG, "image/svg+xml")
    stack.sim.add_dm(demo.X_ACCOUNT_ID, {"id": "783214", "username": "lars_h", "name": "Lars"},
                     "Her er filen", media=[x_media.photo(logo)])  # fmt: skip
    page = log_in(new_page(chromium, contexts), stack, "mette")

    expect(row(page, "Kirsten Madsen")).to_contain_text("Photo", timeout=LIVE_TIMEOUT_MS)
    settled(2)
    row(page, "Kirsten Madsen").click()
    thumbnail = page.locator(".media-view img")
    expect(thumbnail).to_have_attribute("alt", "Et brev om restskat")
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("img => img.naturalWidth") > 0  # the thumbnail really loaded
    shot(page, "media-photo")
    link = page.locator(".media-view")
    link.focus()
    with page.context.expect_page() as opened:
        page.keyboard.press("Enter")
    full = opened.value
    full.wait_for_load_state()
    assert full.evaluate("document.images.length") == 1  # the browser shows the image itself

    row(page, "Lars").click()
    expect(page.locator(".media-gone")).to_contain_text("Media no longer available.")
    expect(page.locator(".media-gone")).to_contain_text("image/svg+xml")
    assert page.locator("svg script").count() == 0


def test_the_open_thread_shows_the_photo_in_place_when_the_worker_has_fetched_it(
    stack, chromium, contexts, cdn
):
    host, base = cdn
    slow = base + host.put_slow("kvittering.jpg", jpeg_with_gps(), "image/jpeg", seconds=6)
    stack.sim.add_dm(demo.X_ACCOUNT_ID, CUSTOMER, "Min kvittering",
                     media=[x_media.photo(slow, alt_text="En kvittering")])  # fmt: skip
    page = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(page, "Kirsten Madsen")).to_contain_text("Min kvittering", timeout=LIVE_TIMEOUT_MS)
    row(page, "Kirsten Madsen").click()
    expect(page.locator(".media.state-pending")).to_contain_text("is being fetched")
    # A mark on the message: a whole-pane refresh would replace the element and lose it.
    page.locator("li.entry.inbound").first.evaluate("li => li.dataset.mark = 'kept'")

    thumbnail = page.locator(".media-view img")
    expect(thumbnail).to_have_attribute("alt", "En kvittering", timeout=LIVE_TIMEOUT_MS)
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("img => img.naturalWidth") > 0
    assert page.locator("li.entry.inbound[data-mark=kept]").count() == 1
