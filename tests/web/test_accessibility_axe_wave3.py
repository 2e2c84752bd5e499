"""WCAG 2.1 A and AA by axe-core (issue #18 point 4) on the states the third wave added: an
e-mail conversation (badge, subject line) and the profile's e-mail signature; Instagram's
reply modes (public comment reply, private reply, the DM it starts); outbound attachments in
the composer (listed with their remove buttons, a refused file's reason); inbound media (photo,
video poster, media no longer available); a grant's Withdraw button and the guest's view after
withdrawal; the wide tables' scroll regions at 320 CSS px, one reached with Tab. Zero
violations."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from connectors.base import ContactRef, FetchResult, InboundMessage, ThreadKind
from connectors.simulator import demo
from connectors.simulator.graph.app import GraphApp
from connectors.simulator.x import media as x_media
from inbox.credentials import seal
from inbox.models import ChannelAccount
from inbox.services import note_create
from inbox.services.accounts import poll_result_apply
from tests.media.media_support import cdn, jpeg_with_gps  # noqa: F401 (fixture)
from tests.media.outbound_support import image_bytes
from tests.web.browser_support import (
    CUSTOMER,
    LIVE_TIMEOUT_MS,
    expect,
    log_in,
    new_page,
    open_conversation,
    row,
)
from tests.web.test_accessibility_axe import Findings, admin
from tests.web.test_accessibility_axe_wave2 import birgit, tab_to  # noqa: F401 (fixture)
from tests.web.test_ui_media import settled

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]
PAGE_ID, PAGE_TOKEN, IG_ID = "100000000000001", "fb-ui-page-token", "17841400000000042"
CITIZEN = {"id": "6700000000000041", "username": "kirsten.madsen"}
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def email_conversation(stack) -> None:
    """An e-mail as a poll stores it (threading, subject), without a mail server: the account
    is not due to be polled while the test runs."""
    account = ChannelAccount.objects.create(
        next_poll_at=timezone.now() + timedelta(days=1),
        platform="email", display_name="Kundeservice (e-mail)", external_id="kunde@skat.example",
        team=stack.team, credentials_encrypted=seal("unused"), poll_interval_seconds=86400,
        mail_settings={"imap_host": "127.0.0.1", "imap_port": 9, "imap_security": "none",
                       "smtp_host": "127.0.0.1", "smtp_port": 9, "smtp_security": "none",
                       "organisation": "Skattestyrelsen", "timeout": 1},
    )  # fmt: skip
    message = InboundMessage(
        external_id="<q1@example.dk>", thread_external_id="<q1@example.dk>",
        kind=ThreadKind.PRIVATE, body="Hej, hvornår kommer min årsopgørelse?",
        author=ContactRef(external_id="anna@example.dk", name="Anna Berg"),
        sent_at=timezone.now() - timedelta(minutes=3), subject="Årsopgørelse",
    )  # fmt: skip
    poll_result_apply(account_id=account.pk, result=FetchResult(messages=(message,), cursor={}))


def instagram(stack) -> GraphApp:
    graph = GraphApp()
    graph.add_page(PAGE_ID, "Skattestyrelsen", PAGE_TOKEN)
    graph.instagram.link_account(PAGE_ID, IG_ID, "skattemor")
    stack.sim_server.simulator.apps.append(graph)
    ChannelAccount.objects.create(
        platform="instagram", display_name="@skattemor", external_id=IG_ID, handle="skattemor",
        team=stack.team, credentials_encrypted=seal(PAGE_TOKEN),
        base_url=stack.sim_server.base_url, poll_interval_seconds=1,
    )  # fmt: skip
    media = graph.instagram.add_media(IG_ID, "Husk fristen 1. maj")
    graph.instagram.add_comment(media["id"], CITIZEN, "Gælder fristen også i udlandet?")
    return graph


def test_email_and_instagram_have_no_wcag_violation(stack, chromium, contexts):
    findings = Findings()
    email_conversation(stack)
    instagram(stack)
    page = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(page, "Anna Berg")).to_contain_text("E-mail", timeout=LIVE_TIMEOUT_MS)
    expect(row(page, "kirsten.madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    findings.check(page, "inbox with an e-mail and an Instagram comment")

    open_conversation(page, "Anna Berg")
    expect(page.locator("#pane-subject")).to_have_text("Subject: Årsopgørelse")
    page.locator("#composer-body").fill("Den kommer i marts.")
    expect(page.locator("#preview")).to_contain_text("Mette Jensen")
    findings.check(page, "e-mail conversation with its subject and the signed preview")

    open_conversation(page, "kirsten.madsen")
    entry = page.locator(".entry.inbound", has_text="i udlandet")
    reply_privately = "Reply privately (one message, within 7 days of the comment)"
    expect(entry.get_by_label(reply_privately)).to_be_visible()
    page.locator("#composer-body").fill("Ja, den gælder også dig.")
    findings.check(page, "Instagram comment: public reply and the private reply offer")
    entry.get_by_label(reply_privately).fill("Skriv dit skattenummer til os her.")
    entry.get_by_role("button", name="Send privately").click()
    expect(entry.locator("[data-private-reply]")).to_have_attribute(
        "data-private-reply", "sent", timeout=LIVE_TIMEOUT_MS
    )
    findings.check(page, "Instagram comment with its private reply sent")
    dm = row(page, "kirsten.madsen").filter(has_text="Private")
    expect(dm).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    dm.click()
    expect(page.locator("#pane")).to_be_visible()
    findings.check(page, "Instagram DM started by the private reply, with its reply window")

    page.goto(f"{stack.base_url}/profile/")
    expect(page.get_by_label("Signature in e-mails")).to_be_visible()
    findings.check(page, "profile with the signature fields, e-mail among them")
    findings.assert_none()


def mp4(directory) -> bytes:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("ffmpeg is not installed (apt-get install ffmpeg)")
    out = directory / "clip.mp4"
    subprocess.run(  # noqa: S603 - a fixed command
        [ffmpeg, "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=10",
         "-t", "1", "-c:v", "mpeg4", "-pix_fmt", "yuv420p", str(out)],
        check=True, timeout=60,
    )  # fmt: skip
    return out.read_bytes()


def test_media_and_the_composer_attachments_have_no_wcag_violation(
    stack,
    chromium,
    contexts,
    cdn,  # noqa: F811
    tmp_path,
):
    findings = Findings()
    photo = x_media.photo(cdn.url(cdn.host.put("brev.jpg", jpeg_with_gps(), "image/jpeg")),
                          alt_text="Et brev om restskat")  # fmt: skip
    video = cdn.url(cdn.host.put("klip.mp4", mp4(tmp_path), "video/mp4"))
    poster = cdn.url(cdn.host.put("klip.jpg", jpeg_with_gps(), "image/jpeg"))
    logo = x_media.photo(cdn.url(cdn.host.put("logo.svg", SVG, "image/svg+xml")))
    stack.sim.add_dm(demo.X_ACCOUNT_ID, CUSTOMER, "Her er brevet og en video",
                     media=[photo, x_media.video(video, poster)])  # fmt: skip
    lars = {"id": "783214", "username": "lars_h", "name": "Lars"}
    stack.sim.add_dm(demo.X_ACCOUNT_ID, lars, "Her er filen", media=[logo])
    page = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(page, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    settled(3)

    open_conversation(page, "Kirsten Madsen")
    expect(page.locator(".media-photo .media-view img")).to_be_visible()
    expect(page.locator(".media-video .media-view img")).to_be_visible()
    findings.check(page, "conversation with a stored photo and a video poster")

    picture = tmp_path / "svar.jpg"
    picture.write_bytes(image_bytes("JPEG", (120, 80)))
    page.get_by_label("Attach a file").set_input_files(str(picture))
    expect(page.get_by_role("button", name="Remove svar.jpg")).to_be_visible()
    findings.check(page, "composer with a file attached and its remove button")
    fake = tmp_path / "brev.jpg"
    fake.write_bytes(b"<!DOCTYPE html><html><script>alert(1)</script></html>")
    page.get_by_label("Attach a file").set_input_files(str(fake))
    expect(page.locator("#composer-msg")).to_contain_text("brev.jpg cannot be attached")
    findings.check(page, "composer with a refused file's reason")

    open_conversation(page, "Lars")
    expect(page.locator(".media-gone")).to_contain_text("Media no longer available.")
    findings.check(page, "conversation with media no longer available")
    findings.assert_none()


def test_a_withdrawn_grant_and_the_wide_tables_have_no_wcag_violation(
    stack,
    birgit,  # noqa: F811
    chromium,
    contexts,
):
    findings = Findings()
    admin(stack)
    stack.mention("Må jeg trække befordring fra?")
    mette = log_in(new_page(chromium, contexts), stack, "mette")
    expect(row(mette, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    conversation_id = stack.account.conversations.get().pk
    note_create(user=stack.mette.user, conversation_id=conversation_id, body="@birgit hjælp?")
    guest = log_in(new_page(chromium, contexts), stack, "birgit")
    guest.goto(f"{stack.base_url}/conversations/{conversation_id}/")
    expect(guest.locator("#pane")).to_be_visible()
    findings.check(guest, "a guest's view of a conversation she was mentioned in")

    open_conversation(mette, "Kirsten Madsen")
    withdraw = mette.get_by_role("button", name="Withdraw the access of Birgit Hansen")
    expect(withdraw).to_be_visible()
    findings.check(mette, "conversation with a grant and its Withdraw button")
    withdraw.click()
    expect(mette.locator("#grants")).to_have_count(0)
    expect(guest.locator("#access-withdrawn")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    findings.check(guest, "a guest's view after her access was withdrawn")

    anna = log_in(new_page(chromium, contexts), stack, "anna")
    anna.set_viewport_size({"width": 320, "height": 640})
    for path in ("/people/", f"/teams/{stack.team.pk}/retention", "/channels/", "/metrics/"):
        anna.goto(f"{stack.base_url}{path}")
        findings.check(anna, f"{path} at 320 CSS px, its wide tables in scroll regions")
    # The metrics tables are wider than 320 px: their regions scroll, named, from the keyboard.
    wide = anna.locator(".table-scroll[role=region][tabindex='0']")
    expect(wide.first).to_be_attached()
    tab_to(anna, wide.first)
    findings.assert_none()
