"""A video's poster: its first frame, taken by ffmpeg and re-encoded by Pillow into the same
320 px JPEG thumbnail a photo gets, so the thread can show a picture before anyone plays it.

ffmpeg because it is the one tool that decodes everything the platforms send (H.264, HEVC,
VP9 in MP4), packaged by every distribution (Debian ``ffmpeg``); no Python library decodes
video without it. The file is hostile until proven otherwise, so ffmpeg runs as a separate
process with: only the MP4/MOV demuxer (``-f mov``: a "video" that is really a playlist or a
concat script is refused), only the ``file`` protocol (it can never be made to fetch a URL),
no stdin, one thread, a memory and CPU-time limit, and a wall-clock timeout
(``SVAR_MEDIA_FFMPEG_TIMEOUT``). What it writes is decoded again by Pillow (bomb guard,
metadata dropped) before it is kept. A video ffmpeg cannot read, or not in time, is refused
with the reason; a missing ffmpeg only means no poster.
"""

from __future__ import annotations

import logging
import os
import resource
import shutil
import subprocess
import tempfile
from typing import IO

from django.conf import settings

from inbox.media.download import Refused
from inbox.media.images import clean_image
from inbox.models.media import MediaReason

logger = logging.getLogger(__name__)
MEMORY_LIMIT = 1024 * 1024 * 1024  # bytes of address space ffmpeg may map


def video_poster(path: str) -> IO[bytes] | None:
    """The poster of the video at ``path`` as a JPEG temporary file (the caller closes it);
    None when ffmpeg is not installed. Raises ``Refused`` for a video it cannot read."""
    wanted = settings.SVAR_MEDIA_FFMPEG
    ffmpeg = shutil.which(wanted)
    if ffmpeg is None:
        logger.warning(
            "no ffmpeg (%s): videos are kept without a poster", settings.SVAR_MEDIA_FFMPEG
        )
        return None
    with tempfile.TemporaryDirectory(prefix="svar-poster-") as folder:
        frame = os.path.join(folder, "frame.png")
        _first_frame(ffmpeg, path, frame)
        with open(frame, "rb") as source:
            image = clean_image(source, "image/png", max_pixels=settings.SVAR_MEDIA_MAX_PIXELS,
                                thumbnail_size=settings.SVAR_MEDIA_THUMBNAIL_SIZE)  # fmt: skip
    image.file.close()
    return image.thumbnail


def _first_frame(ffmpeg: str, path: str, frame: str) -> None:
    width, height = settings.SVAR_MEDIA_THUMBNAIL_SIZE
    timeout = settings.SVAR_MEDIA_FFMPEG_TIMEOUT
    command = [
        ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "1",
        "-protocol_whitelist", "file", "-f", "mov", "-i", path,
        "-map", "0:v:0", "-frames:v", "1", "-an", "-sn", "-dn",
        "-vf", f"scale={width}:{height}:force_original_aspect_ratio=decrease",
        "-f", "image2", "-c:v", "png", "-y", frame,
    ]  # fmt: skip
    try:
        done = subprocess.run(  # noqa: S603 - a fixed command; the path is our own temp file
            command, capture_output=True, timeout=timeout, check=False,
            preexec_fn=lambda: _limits(timeout),  # noqa: PLW1509 - RQ jobs run one at a time
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise Refused(
            f"the video could not be read within {timeout:g} s", MediaReason.VIDEO_TIMEOUT
        ) from None
    if done.returncode != 0 or not os.path.exists(frame) or not os.path.getsize(frame):
        raise Refused(
            f"not a playable video ({_why(done.stderr, path)})", MediaReason.UNPLAYABLE_VIDEO
        )


def _limits(timeout: float) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    cpu = int(timeout) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))


def _why(stderr: bytes, path: str) -> str:
    """ffmpeg's last complaint, without our temporary file's name."""
    lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    last = lines[-1].replace(path, "video") if lines else "no frame could be decoded"
    return f"ffmpeg: {last[:200]}"
