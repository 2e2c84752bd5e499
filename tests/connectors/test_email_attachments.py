"""E-mail attachments and inline images through the media storage, against a real Dovecot.

The poll records each attachment as a pending ``Media`` row with the IMAP address of its MIME
part; the media fetch job reads that one part from the mailbox (in slices), judges it by its
bytes, strips EXIF from images, thumbnails them and stores them privately.
"""

from __future__ import annotations

import io
import os

import django_rq
import pytest
from PIL import Image

from connectors import jobs
from connectors.email.attachments import SLICE
from inbox.media.jobs import fetch_media
from inbox.models import Media, MediaState
from inbox.services.media_ingest import MEDIA_QUEUE
from tests.connectors.email_support import mail
from tests.media import media_support
from tests.media.media_support import jpeg_with_gps

pytest_plugins = ["tests.connectors.mail_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)
media_root = media_support.media_root
PDF = b"%PDF-1.4\n" + os.urandom(SLICE * 2 + 12_345)  # spans three partial FETCHes


@pytest.fixture(autouse=True)
def _clean_queue():
    django_rq.get_queue(MEDIA_QUEUE).empty()
    yield
    django_rq.get_queue(MEDIA_QUEUE).empty()


def _fetch_all() -> list[str]:
    return [fetch_media(pk) for pk in Media.objects.values_list("pk", flat=True)]


def test_attachments_and_an_inline_image_are_stored_checked_and_cleaned(
    dovecot, mail_account, media_root
):
    message = mail("Se vedhæftede")
    message.add_alternative("<p>Se <img src='cid:logo@x'></p>", subtype="html")
    message.get_payload()[1].add_related(jpeg_with_gps((320, 200)), "image", "jpeg", cid="<logo@x>")
    message.add_attachment(jpeg_with_gps(), maintype="image", subtype="jpeg",
                           filename="../../kvittering.jpg")  # fmt: skip
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="brev.pdf")
    message.add_attachment(b"root:x:0:0", maintype="text", subtype="plain",
                           filename="../../etc/passwd")  # fmt: skip
    dovecot.deliver(message)

    jobs.poll_account(mail_account.pk)

    rows = list(Media.objects.order_by("position"))
    assert [(m.kind, m.alt_text, m.state) for m in rows] == [
        ("photo", "", MediaState.PENDING),  # the inline image
        ("photo", "kvittering.jpg", MediaState.PENDING),
        ("file", "brev.pdf", MediaState.PENDING),
        ("file", "passwd", MediaState.PENDING),
    ]
    assert all(m.source_url.startswith("imap:///INBOX;UIDVALIDITY=") for m in rows)
    [queued] = django_rq.get_queue(MEDIA_QUEUE).get_jobs()  # after the ingest committed
    assert queued.args == ([m.pk for m in rows],)  # one job for the poll's four files

    _fetch_all()

    inline, photo, pdf, text = Media.objects.order_by("position")
    assert {m.state for m in (inline, photo, pdf, text)} == {MediaState.STORED}
    for image in (inline, photo):
        assert image.content_type == "image/jpeg"
        with image.file.open("rb") as stored:
            assert 0x8825 not in Image.open(stored).getexif()  # the GPS position is gone
        assert image.thumbnail
    with Image.open(io.BytesIO(inline.file.open("rb").read())) as shown:
        assert shown.size == (320, 200)
    assert pdf.content_type == "application/pdf"
    assert pdf.file.open("rb").read() == PDF  # base64, decoded slice by slice, byte for byte
    assert text.content_type == "application/octet-stream"
    assert text.file.open("rb").read() == b"root:x:0:0"
    assert "passwd" not in text.file.name
    assert ".." not in text.file.name


def test_a_file_that_only_claims_to_be_an_image_is_refused(dovecot, mail_account, media_root):
    message = mail()
    message.add_attachment(b"<html><script>alert(1)</script></html>", maintype="image",
                           subtype="jpeg", filename="foto.jpg")  # fmt: skip
    dovecot.deliver(message)
    jobs.poll_account(mail_account.pk)

    _fetch_all()

    (media,) = Media.objects.all()
    assert media.state == MediaState.UNAVAILABLE
    assert "text/html" in media.unavailable_reason
    assert not media.file


def test_an_attachment_over_the_size_limit_is_refused(dovecot, mail_account, media_root, settings):
    settings.SVAR_MEDIA_MAX_BYTES = 100_000
    message = mail()
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="stor.pdf")
    dovecot.deliver(message)
    jobs.poll_account(mail_account.pk)

    _fetch_all()

    (media,) = Media.objects.all()
    assert media.state == MediaState.UNAVAILABLE
    assert "limit" in media.unavailable_reason


def test_a_renumbered_folder_marks_the_attachment_unavailable(dovecot, mail_account, media_root):
    message = mail()
    message.add_attachment(PDF[:1000], maintype="application", subtype="pdf", filename="a.pdf")
    dovecot.deliver(message)
    jobs.poll_account(mail_account.pk)
    media = Media.objects.get()
    Media.objects.filter(pk=media.pk).update(
        source_url=media.source_url.replace("UIDVALIDITY=", "UIDVALIDITY=9")
    )

    _fetch_all()

    media.refresh_from_db()
    assert media.state == MediaState.UNAVAILABLE
    assert "renumbered" in media.unavailable_reason


def test_quoted_printable_and_plain_parts_decode_exactly(dovecot, mail_account, media_root):
    text = ("Linje med æøå = og en meget lang linje " * 40 + "\n") * 3
    message = mail()
    message.add_attachment(text.encode("latin-1"), maintype="application", subtype="octet-stream",
                           filename="noter.txt", cte="quoted-printable")  # fmt: skip
    dovecot.deliver(message)
    jobs.poll_account(mail_account.pk)

    _fetch_all()

    (media,) = Media.objects.all()
    assert media.file.open("rb").read() == text.encode("latin-1")
