"""Uploads on the simulated Graph API (issue #13): what a Page posts with files.

- ``POST /{page}/photos`` (multipart ``source``, ``published=false``) → ``{"id"}``: an
  unpublished photo a comment can carry (``attachment_id``).
- ``POST /{page}/message_attachments`` (multipart ``filedata``, ``message={"attachment":
  {"type", "payload": {"is_reusable": true}}}``) → ``{"attachment_id"}`` (Attachment Upload
  API); the Send API then posts ``message={"attachment": {"type", "payload":
  {"attachment_id"}}}``.
- Faults: ``upload_rejected`` answers an upload with error 100 as Graph does for a file it
  cannot use; ``media_post_fails`` answers a comment or message that carries a file with the
  transient error 2.

Uploaded files are kept for tests: ``GraphUploads.received``.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from connectors.simulator.faults import FaultBoard, FaultKind
from connectors.simulator.graph import media as graph_media
from connectors.simulator.graph.wire import GraphFault
from connectors.simulator.multipart import parts
from connectors.simulator.wire import SimRequest

if TYPE_CHECKING:
    from connectors.simulator.graph.world import Page

ATTACHMENT_TYPES = {"image", "video", "audio", "file"}
MAGIC = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG": "image/png", b"GIF8": "image/gif",
         b"RIFF": "image/webp"}  # fmt: skip
CDN = "https://scontent.xx.fbcdn.net/v/{id}"


@dataclass(frozen=True, slots=True)
class Uploaded:
    id: str
    page_id: str
    kind: str  # "photo" (for comments) or a Messenger attachment type
    data: bytes
    filename: str
    content_type: str


class GraphUploads:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.faults = FaultBoard()  # the server's board, set by the app at each request
        self.files: dict[str, Uploaded] = {}
        self._ids = itertools.count(3_100_000_000_000_001)

    def received(self) -> list[dict[str, Any]]:
        with self.lock:
            return [{"id": u.id, "page_id": u.page_id, "kind": u.kind, "size": len(u.data),
                     "filename": u.filename, "data": u.data}
                    for u in self.files.values()]  # fmt: skip

    def _file(self, request: SimRequest, field: str, page: Page, kind: str) -> Uploaded:
        if self.faults.take("graph", request.path, {FaultKind.UPLOAD_REJECTED}) is not None:
            raise GraphFault("(#100) Invalid file. Expected file of one of the following types: "
                             "image/jpg, image/jpeg, image/gif, image/png", code=100)  # fmt: skip
        part = parts(request).get(field)
        if part is None or not part.data:
            raise GraphFault(f"(#100) The parameter {field} is required", code=100)
        uploaded = Uploaded(str(next(self._ids)), page.id, kind, part.data,
                            part.filename or "file", part.content_type)  # fmt: skip
        with self.lock:
            self.files[uploaded.id] = uploaded
        return uploaded

    def photo(self, request: SimRequest, page: Page) -> dict[str, str]:
        """``POST /{page}/photos``: only images; unpublished when ``published=false``."""
        part = parts(request).get("source")
        if part is not None and not any(part.data.startswith(m) for m in MAGIC):
            raise GraphFault("(#324) Requires upload file", code=324)
        return {"id": self._file(request, "source", page, "photo").id}

    def attachment(self, request: SimRequest, page: Page) -> dict[str, str]:
        """``POST /{page}/message_attachments``."""
        message = _json(request.form().get("message"))
        attachment = message.get("attachment") if isinstance(message, dict) else None
        kind = attachment.get("type") if isinstance(attachment, dict) else None
        if kind not in ATTACHMENT_TYPES:
            raise GraphFault("(#100) param message[attachment][type] must be one of "
                             "{image, video, audio, file}", code=100)  # fmt: skip
        return {"attachment_id": self._file(request, "filedata", page, kind).id}

    def usable(self, upload_id: object, page: Page, kind: str | None = None) -> Uploaded:
        with self.lock:
            uploaded = self.files.get(str(upload_id))
        if uploaded is None or uploaded.page_id != page.id or (kind and uploaded.kind != kind):
            raise GraphFault(f"(#100) Invalid attachment_id {upload_id}", code=100)
        return uploaded

    def post_may_fail(self, request: SimRequest) -> None:
        if self.faults.take("graph", request.path, {FaultKind.MEDIA_POST_FAILS}) is not None:
            raise GraphFault("An unexpected error has occurred. Please retry your request "
                             "later.", code=2, status=500)  # fmt: skip


def messenger_media(uploaded: Uploaded) -> dict[str, Any]:
    """The posted message's media fields, as Graph renders them when the thread is read."""
    url = CDN.format(id=uploaded.id)
    if uploaded.kind == "image":
        return graph_media.messenger_photo(url, uploaded.content_type or "image/jpeg")
    if uploaded.kind == "video":
        return graph_media.messenger_video(url)
    return graph_media.messenger_file(url, uploaded.filename, uploaded.content_type)


def comment_photo(uploaded: Uploaded) -> dict[str, Any]:
    return graph_media.comment_attachment("photo", CDN.format(id=uploaded.id), uploaded.id)


def _json(value: str | None) -> Any:
    try:
        return json.loads(value or "null")
    except ValueError:
        return None
