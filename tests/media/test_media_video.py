"""Video posters: the fetch job keeps a video as received and gives it its first frame as a
320 px JPEG poster made by ffmpeg; a broken or hostile "video", or one ffmpeg cannot read in
time, is refused with a clear reason; without ffmpeg the video is kept without a poster."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import django_rq
import pytest
from PIL import Image

from connectors.base import MediaItem, MediaKind, ThreadKind
from inbox.media.jobs import fetch_media
from inbox.models import Media, MediaReason, MediaState
from inbox.services import messages_ingest
from inbox.services.media_ingest import MEDIA_QUEUE
from tests.ci_rules import unavailable
from tests.conftest import api_client_for
from tests.factories import inbound
from tests.media import media_support

pytestmark = pytest.mark.django_db(transaction=True)
cdn = media_support.cdn
media_root = media_support.media_root


@pytest.fixture(autouse=True)
def _clean_queue():
    django_rq.get_queue(MEDIA_QUEUE).empty()
    yield
    django_rq.get_queue(MEDIA_QUEUE).empty()


@pytest.fixture(scope="module")
def mp4(tmp_path_factory) -> bytes:
    """A real one-second 640×360 MP4, made by ffmpeg (Debian package ffmpeg, .ci/run)."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        unavailable("ffmpeg is not installed (apt-get install ffmpeg)")
    out = tmp_path_factory.mktemp("video") / "clip.mp4"
    subprocess.run(  # noqa: S603 - a fixed command
        [ffmpeg, "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=10",
         "-t", "1", "-c:v", "mpeg4", "-pix_fmt", "yuv420p", str(out)],
        check=True, timeout=60,
    )  # fmt: skip
    return out.read_bytes()


def fetched(account, cdn, name: str, body: bytes) -> Media:
    url = cdn.url(cdn.host.put(name, body, "video/mp4"))
    message = replace(inbound(thread="dm:8", body="", kind=ThreadKind.PRIVATE),
                      media=(MediaItem(MediaKind.VIDEO, url, "", "video/mp4"),))  # fmt: skip
    messages_ingest(account_id=account.pk, messages=[message])
    media = Media.objects.get(source_url=url)
    fetch_media(media.pk)
    media.refresh_from_db()
    return media


def test_a_video_is_kept_as_received_with_its_first_frame_as_poster(
    x_account, agent, cdn, media_root, mp4
):
    media = fetched(x_account, cdn, "clip.mp4", mp4)

    assert media.state == MediaState.STORED
    assert media.content_type == "video/mp4"
    with media.file.open("rb") as kept:
        assert kept.read() == mp4
    with media.thumbnail.open("rb") as poster:
        image = Image.open(poster)
        assert (image.format, image.size) == ("JPEG", (320, 180))
    api = api_client_for(agent)
    [item] = api.get(f"/api/conversations/{media.message.conversation_id}").json()["messages"][0][
        "media"
    ]
    assert (item["kind"], item["thumbnail_url"]) == ("video", f"/media/{media.pk}/thumbnail")
    assert (item["content_type"], item["download"]) == ("video/mp4", False)


@pytest.mark.parametrize(
    "body",
    [
        b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\xde\xad" * 4000,  # garbage
        b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00" + b"#EXTM3U\nfile:///etc/passwd\n",  # a list
    ],
    ids=["garbage-after-the-header", "a-playlist-dressed-as-mp4"],
)
def test_a_broken_or_hostile_video_is_refused_with_the_reason(
    x_account, cdn, media_root, mp4, body
):
    media = fetched(x_account, cdn, "bad.mp4", body)

    assert media.state == MediaState.UNAVAILABLE
    assert media.unavailable_code == MediaReason.UNPLAYABLE_VIDEO
    assert media.unavailable_reason.startswith("not a playable video (ffmpeg:")
    assert "/tmp" not in media.unavailable_reason  # our temporary file's name is not shown
    assert not media.file


def test_a_truncated_video_is_refused(x_account, cdn, media_root, mp4):
    media = fetched(x_account, cdn, "cut.mp4", mp4[:600])

    assert media.state == MediaState.UNAVAILABLE
    assert "not a playable video" in media.unavailable_reason


def test_a_video_ffmpeg_cannot_read_in_time_is_refused(x_account, cdn, media_root, mp4, settings):
    settings.SVAR_MEDIA_FFMPEG_TIMEOUT = 0.001

    media = fetched(x_account, cdn, "slow.mp4", mp4)

    assert media.state == MediaState.UNAVAILABLE
    assert media.unavailable_code == MediaReason.VIDEO_TIMEOUT
    assert "could not be read within" in media.unavailable_reason


def test_without_ffmpeg_the_video_is_kept_without_a_poster(
    x_account, cdn, media_root, mp4, settings, tmp_path
):
    settings.SVAR_MEDIA_FFMPEG = str(Path(tmp_path) / "no-ffmpeg-here")

    media = fetched(x_account, cdn, "clip.mp4", mp4)

    assert media.state == MediaState.STORED
    assert not media.thumbnail
