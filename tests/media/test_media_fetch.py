"""The media fetch job: streamed to private storage, judged by content, cleaned of EXIF/GPS,
thumbnailed; bad files refused with a reason, expired links marked, hangs retried later."""

from __future__ import annotations

import io
from dataclasses import replace

import django_rq
import pytest
from PIL import Image

from connectors.base import MediaItem, MediaKind, ThreadKind
from inbox.media.jobs import MAX_ATTEMPTS, fetch_media
from inbox.models import Conversation, Media, MediaReason, MediaState, Message
from inbox.services import messages_ingest
from inbox.services.media_ingest import MEDIA_QUEUE
from tests.factories import inbound
from tests.media import media_support
from tests.media.media_support import jpeg_with_gps, png_bomb

pytestmark = pytest.mark.django_db(transaction=True)
cdn = media_support.cdn
media_root = media_support.media_root


@pytest.fixture(autouse=True)
def _clean_queue():
    queue = django_rq.get_queue(MEDIA_QUEUE)
    _empty(queue)
    yield
    _empty(queue)


def _empty(queue) -> None:  # noqa: ANN001 - an RQ queue
    queue.empty()
    for job_id in queue.scheduled_job_registry.get_job_ids():  # retries of an earlier run
        queue.scheduled_job_registry.remove(job_id, delete_job=True)


def ingest(account, url: str, kind: MediaKind = MediaKind.PHOTO, body: str = "") -> Media:
    message = replace(
        inbound(thread="dm:9", body=body, kind=ThreadKind.PRIVATE),
        media=(MediaItem(kind, url, "Min kvittering", "image/jpeg", "k1"),),
    )
    messages_ingest(account_id=account.pk, messages=[message])
    return Media.objects.get(source_url=url)


def test_a_photo_is_stored_privately_without_its_gps_position_and_with_a_thumbnail(
    x_account, cdn, media_root
):
    media = ingest(x_account, cdn.url(cdn.host.put("a.jpg", jpeg_with_gps(), "image/jpeg")))

    django_rq.get_worker(MEDIA_QUEUE).work(burst=True)  # a real RQ worker runs the job

    media.refresh_from_db()
    assert media.state == MediaState.STORED
    assert media.content_type == "image/jpeg"
    assert media.file.name.startswith(f"{media.message_id}/")
    assert str(media_root) in media.file.path  # a private folder, not a public URL
    with media.file.open("rb") as stored:
        image = Image.open(stored)
        assert not image.getexif()  # no EXIF at all, so no GPS
        assert image.size == (640, 480)
    with media.thumbnail.open("rb") as thumb:
        assert max(Image.open(thumb).size) <= 320


def test_a_jpeg_that_is_really_html_is_refused_with_the_reason(x_account, cdn, media_root):
    html = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
    media = ingest(x_account, cdn.url(cdn.host.put("fake.jpg", html, "image/jpeg")))

    fetch_media(media.pk)

    media.refresh_from_db()
    assert media.state == MediaState.UNAVAILABLE
    assert media.unavailable_code == MediaReason.NOT_AN_IMAGE
    assert "text/html" in media.unavailable_reason  # the detail
    assert not media.file


def test_a_decompression_bomb_is_refused(x_account, cdn, media_root, settings):
    settings.SVAR_MEDIA_MAX_PIXELS = 10_000_000
    media = ingest(x_account, cdn.url(cdn.host.put("bomb.png", png_bomb(), "image/png")))

    fetch_media(media.pk)

    media.refresh_from_db()
    assert media.state == MediaState.UNAVAILABLE
    assert media.unavailable_code == MediaReason.IMAGE_BOMB
    assert "decompression bomb" in media.unavailable_reason


def test_a_file_far_over_the_limit_is_refused_without_being_kept(
    x_account, cdn, media_root, settings
):
    settings.SVAR_MEDIA_MAX_BYTES = 1_000_000
    media = ingest(
        x_account, cdn.url(cdn.host.put_large("big.mp4", 50_000_000)), kind=MediaKind.VIDEO
    )

    fetch_media(media.pk)

    media.refresh_from_db()
    assert media.state == MediaState.UNAVAILABLE
    assert media.unavailable_code == MediaReason.TOO_LARGE
    assert "over the limit" in media.unavailable_reason
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_an_expired_link_says_the_media_is_no_longer_available(x_account, cdn, media_root):
    path = cdn.host.put("old.jpg", jpeg_with_gps(), "image/jpeg")
    cdn.host.expire("old.jpg", status=410)
    media = ingest(x_account, cdn.url(path))

    fetch_media(media.pk)

    media.refresh_from_db()
    assert media.state == MediaState.UNAVAILABLE
    assert (media.unavailable_code, media.unavailable_reason) == (MediaReason.GONE, "HTTP 410")


def test_a_hanging_link_is_tried_again_later_and_holds_nothing_else_up(
    x_account, cdn, media_root, settings
):
    settings.SVAR_MEDIA_FETCH_TIMEOUT = 0.5
    media = ingest(x_account, cdn.url(cdn.host.put_hanging("slow.jpg", 3)), body="Hej")

    assert Conversation.objects.get().snippet == "Hej"  # the message is there already
    assert fetch_media(media.pk).startswith("again in")

    media.refresh_from_db()
    assert (media.state, media.attempts) == (MediaState.PENDING, 1)
    scheduled = django_rq.get_queue(MEDIA_QUEUE).scheduled_job_registry.get_job_ids()
    assert len(scheduled) == 1
    Media.objects.filter(pk=media.pk).update(attempts=MAX_ATTEMPTS - 1)
    fetch_media(media.pk)
    media.refresh_from_db()
    assert media.state == MediaState.UNAVAILABLE
    assert Message.objects.count() == 1


def test_a_pdf_is_kept_as_a_file_to_download(x_account, cdn, media_root):
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    media = ingest(
        x_account, cdn.url(cdn.host.put("brev.pdf", pdf, "application/pdf")), kind=MediaKind.FILE
    )

    fetch_media(media.pk)

    media.refresh_from_db()
    assert (media.state, media.content_type, media.size) == (
        MediaState.STORED, "application/pdf", len(pdf),
    )  # fmt: skip
    assert not media.thumbnail
    assert io.BytesIO(media.file.open("rb").read()).read(5) == b"%PDF-"
