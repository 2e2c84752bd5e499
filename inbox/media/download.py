"""Fetch one media file from a platform's CDN into a temporary file, streamed in chunks (never
whole in memory), hashed and measured on the way, refused once over the size limit."""

from __future__ import annotations

import hashlib
import tempfile
import time
from dataclasses import dataclass
from typing import IO

import requests

from inbox.media.sniff import HEAD_BYTES
from inbox.models.media import MediaReason

CHUNK = 256 * 1024


class Gone(Exception):
    """The link answered 404/410: the platform no longer has the file (CDN links expire)."""


class TryLater(Exception):
    """A 5xx, a timeout or a broken connection: worth another attempt."""


class Refused(Exception):
    """The file itself is unacceptable (too big, wrong kind, a bomb): no retry helps.

    ``code`` is the ``MediaReason`` stored (and shown in the reader's language); the message is
    the technical detail kept beside it."""

    def __init__(self, detail: str, code: str = MediaReason.REFUSED) -> None:
        super().__init__(detail)
        self.code = code


@dataclass(slots=True)
class Downloaded:
    file: IO[bytes]  # positioned at 0; closing deletes it
    size: int
    sha256: str
    head: bytes


def download(url: str, *, max_bytes: int, timeout: float) -> Downloaded:
    deadline = time.monotonic() + timeout * 3  # a server that drips bytes forever
    try:
        with requests.get(url, stream=True, timeout=(timeout, timeout)) as response:
            if response.status_code in (404, 410):
                raise Gone(f"HTTP {response.status_code}")
            if response.status_code >= 500 or response.status_code == 429:
                raise TryLater(f"HTTP {response.status_code}")
            if response.status_code != 200:
                raise Refused(f"HTTP {response.status_code}")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise Refused(
                    f"{int(declared)} bytes, over the limit of {max_bytes}", MediaReason.TOO_LARGE
                )
            return _spool(response, max_bytes, deadline)
    except (requests.Timeout, requests.ConnectionError) as error:
        raise TryLater(type(error).__name__) from error


def _spool(response: requests.Response, max_bytes: int, deadline: float) -> Downloaded:
    digest = hashlib.sha256()
    # Named (deleted on close): ffmpeg reads a video from its path (inbox/media/video.py).
    spool = tempfile.NamedTemporaryFile(prefix="svar-media-")  # noqa: SIM115 - the caller closes it
    size, head = 0, b""
    try:
        for chunk in response.iter_content(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise Refused(f"more than the limit of {max_bytes} bytes", MediaReason.TOO_LARGE)
            if time.monotonic() > deadline:
                raise TryLater("the download took too long")
            if len(head) < HEAD_BYTES:
                head += chunk[: HEAD_BYTES - len(head)]
            digest.update(chunk)
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return Downloaded(file=spool, size=size, sha256=digest.hexdigest(), head=head)
