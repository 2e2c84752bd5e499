"""The platforms' media CDN, simulated: files a tests or the demo puts up, served under
``/_media/<name>`` the way a CDN answers, including the ways CDN links go wrong: a link that
expired (404 or 410), a body that is not what its type says, a very large file (streamed, never
held whole) and a link that hangs."""

from __future__ import annotations

import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from connectors.simulator.faults import FaultBoard
from connectors.simulator.wire import SimRequest, SimResponse

PREFIX = "/_media/"
CHUNK = 64 * 1024


@dataclass(slots=True)
class HostedFile:
    content_type: str
    body: bytes = b""
    size: int = 0  # > 0: a generated file of this many bytes, streamed
    head: bytes = b""  # what the generated file starts with (a real MP4, say)
    gone_status: int = 0  # 404 or 410 once the link has expired
    hang_seconds: float = 0.0


class MediaHost:
    name = "media"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[str, HostedFile] = {}
        self.requests: list[str] = []

    # --- injection ------------------------------------------------------------------------

    def put(self, name: str, body: bytes, content_type: str) -> str:
        """A file; returns its path (join it to the simulator's base URL)."""
        return self._add(name, HostedFile(content_type, body=body))

    def put_large(
        self, name: str, size: int, content_type: str = "video/mp4", head: bytes = b""
    ) -> str:
        """``size`` bytes of an MP4-looking file, generated while it is sent. With ``head`` (a
        real, fast-start MP4) the file plays: the rest is one MP4 ``free`` box, which players
        skip."""
        return self._add(name, HostedFile(content_type, size=size, head=head))

    def put_hanging(self, name: str, seconds: float, content_type: str = "image/jpeg") -> str:
        return self._add(name, HostedFile(content_type, hang_seconds=seconds))

    def put_slow(self, name: str, body: bytes, content_type: str, seconds: float) -> str:
        """A file that answers only after ``seconds`` (a slow CDN): still fetched, later."""
        return self._add(name, HostedFile(content_type, body=body, hang_seconds=seconds))

    def expire(self, name: str, status: int = 404) -> None:
        with self._lock:
            self._files[name].gone_status = status

    def _add(self, name: str, hosted: HostedFile) -> str:
        with self._lock:
            self._files[name] = hosted
        return PREFIX + name

    # --- serving ----------------------------------------------------------------------------

    def handles(self, request: SimRequest) -> bool:
        return request.path.startswith(PREFIX)

    def handle(self, request: SimRequest, faults: FaultBoard) -> SimResponse:
        name = request.path[len(PREFIX) :]
        with self._lock:
            self.requests.append(name)
            hosted = self._files.get(name)
        if hosted is None or hosted.gone_status:
            status = hosted.gone_status if hosted else 404
            return SimResponse(status, b"URL signature expired", {"Content-Type": "text/plain"})
        if hosted.hang_seconds:
            time.sleep(hosted.hang_seconds)
        headers = {"Content-Type": hosted.content_type, "Cache-Control": "max-age=1209600"}
        if hosted.size:
            return SimResponse(
                200, b"", headers, chunks=_mp4_bytes(hosted.size, hosted.head), length=hosted.size
            )
        return SimResponse(200, hosted.body, headers)

    def snapshot(self) -> dict:
        with self._lock:
            return {"files": sorted(self._files), "requests": len(self.requests)}


def _mp4_bytes(size: int, head: bytes = b"") -> Iterator[bytes]:
    if head and size >= len(head) + 8:
        head += struct.pack(">I", size - len(head)) + b"free"  # a box over all that follows
    else:
        head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    yield head[:size]
    sent = len(head[:size])
    filler = b"\x00" * CHUNK
    while sent < size:
        piece = filler[: min(CHUNK, size - sent)]
        yield piece
        sent += len(piece)
