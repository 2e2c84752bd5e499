"""X API v2 media upload on the simulator, as X answers it.

- ``POST /2/media/upload`` (multipart ``media``, ``media_category`` of ``tweet_image``,
  ``dm_image``, ``subtitles``; ``media_type``) → 200 ``{"data": {"id", "media_key", "size",
  "expires_after_secs"}}``.
- ``POST /2/media/upload/initialize`` (JSON ``media_type``, ``total_bytes``,
  ``media_category``) → the same shape; ``{id}/append`` (multipart ``media``,
  ``segment_index``) → ``{"data": {"expires_at"}}``; ``{id}/finalize`` → with video a
  ``processing_info`` ``pending``, then ``GET /2/media/upload?command=STATUS&media_id=``
  answers ``in_progress`` and then ``succeeded``.
- Faults: ``upload_rejected`` answers an upload (simple or initialize) 400 as X does for a file
  it cannot use; ``media_post_fails`` answers a post or DM that carries media 503.

Every upload is kept (bytes, category, state) for tests: ``XUploads.received``.
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from connectors.simulator.faults import FaultBoard, FaultKind
from connectors.simulator.multipart import parts
from connectors.simulator.wire import SimRequest, SimResponse
from connectors.simulator.x import wire

APPEND = re.compile(r"^/2/media/upload/(\d+)/append$")
FINALIZE = re.compile(r"^/2/media/upload/(\d+)/finalize$")
ONE_SHOT_CATEGORIES = {"tweet_image", "dm_image", "subtitles"}
CATEGORIES = ONE_SHOT_CATEGORIES | {
    "amplify_video",
    "tweet_gif",
    "tweet_video",
    "dm_gif",
    "dm_video",
}
LIFETIME = 86_400
MAGIC = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG": "image/png", b"GIF8": "image/gif",
         b"RIFF": "image/webp"}  # fmt: skip


@dataclass(slots=True)
class Upload:
    media_id: str
    owner: str
    category: str
    media_type: str
    total_bytes: int
    segments: dict[int, bytes] = field(default_factory=dict)
    state: str = "uploading"  # → pending → in_progress → succeeded
    status_checks: int = 0

    @property
    def data(self) -> bytes:
        return b"".join(self.segments[i] for i in sorted(self.segments))

    @property
    def kind(self) -> str:
        return (
            "video"
            if "video" in self.category
            else "animated_gif"
            if "gif" in self.category
            else "photo"
        )


class XUploads:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.uploads: dict[str, Upload] = {}
        self._ids = itertools.count(1_880_000_000_000_000_001)

    def received(self) -> list[dict[str, Any]]:
        """What was uploaded (finished or not), oldest first."""
        with self.lock:
            return [{"media_id": u.media_id, "category": u.category, "media_type": u.media_type,
                     "size": len(u.data), "state": u.state, "data": u.data}
                    for u in self.uploads.values()]  # fmt: skip

    def usable(self, media_id: str, owner: str) -> Upload | None:
        with self.lock:
            upload = self.uploads.get(media_id)
            ok = upload is not None and upload.owner == owner and upload.state == "succeeded"
            return upload if ok else None

    def route(self, request: SimRequest, me: str, faults: FaultBoard) -> SimResponse | None:
        path, method = request.path, request.method
        if method == "POST" and path in ("/2/media/upload", "/2/media/upload/initialize"):
            if faults.take("x", path, {FaultKind.UPLOAD_REJECTED}) is not None:
                return wire.invalid_request("media", "", "media type unrecognized.")
            if path == "/2/media/upload":
                return self._one_shot(request, me)
            return self._initialize(request, me)
        if method == "POST" and (match := APPEND.match(path)):
            return self._append(request, me, match[1])
        if method == "POST" and (match := FINALIZE.match(path)):
            return self._finalize(me, match[1])
        if method == "GET" and path == "/2/media/upload":
            return self._status(request, me)
        return None

    def _new(self, me: str, category: str, media_type: str, total: int) -> Upload:
        with self.lock:
            upload = Upload(str(next(self._ids)), me, category, media_type, total)
            self.uploads[upload.media_id] = upload
            return upload

    def _one_shot(self, request: SimRequest, me: str) -> SimResponse:
        form = parts(request)
        media = form.get("media")
        category = form["media_category"].text if "media_category" in form else ""
        if media is None or not media.data:
            return wire.invalid_request("media", "", "The `media` field is required.")
        if category not in ONE_SHOT_CATEGORIES:
            return wire.invalid_request("media_category", category, "Invalid media_category.")
        sniffed = next((t for magic, t in MAGIC.items() if media.data.startswith(magic)), None)
        if sniffed is None:
            return wire.invalid_request("media", "", "media type unrecognized.")
        upload = self._new(me, category, sniffed, len(media.data))
        upload.segments[0], upload.state = media.data, "succeeded"
        return SimResponse.json({"data": _data(upload)})

    def _initialize(self, request: SimRequest, me: str) -> SimResponse:
        try:
            spec = request.json()
        except ValueError:
            spec = None
        if not isinstance(spec, dict):
            return wire.invalid_request("body", "", "A JSON body is required.")
        category, total = spec.get("media_category"), spec.get("total_bytes")
        if category not in CATEGORIES:
            return wire.invalid_request("media_category", str(category), "Invalid media_category.")
        if not isinstance(total, int) or total <= 0:
            return wire.invalid_request("total_bytes", str(total), "Invalid total_bytes.")
        upload = self._new(me, category, str(spec.get("media_type") or ""), total)
        return SimResponse.json({"data": _data(upload)})

    def _mine(self, me: str, media_id: str) -> Upload | None:
        with self.lock:
            upload = self.uploads.get(media_id)
            return upload if upload is not None and upload.owner == me else None

    def _append(self, request: SimRequest, me: str, media_id: str) -> SimResponse:
        upload = self._mine(me, media_id)
        if upload is None or upload.state != "uploading":
            return wire.invalid_request("id", media_id, "Invalid media id.")
        form = parts(request)
        index = form["segment_index"].text if "segment_index" in form else ""
        if "media" not in form or not index.isdigit():
            return wire.invalid_request(
                "segment_index", index, "media and segment_index are required."
            )
        upload.segments[int(index)] = form["media"].data
        return SimResponse.json({"data": {"expires_at": LIFETIME}})

    def _finalize(self, me: str, media_id: str) -> SimResponse:
        upload = self._mine(me, media_id)
        if upload is None or upload.state != "uploading":
            return wire.invalid_request("id", media_id, "Invalid media id.")
        if len(upload.data) != upload.total_bytes:
            return wire.invalid_request(
                "total_bytes", str(upload.total_bytes), "Segments do not add up to total_bytes."
            )
        upload.state = "pending" if upload.kind == "video" else "succeeded"
        return SimResponse.json({"data": _data(upload)})

    def _status(self, request: SimRequest, me: str) -> SimResponse:
        media_id = request.arg("media_id") or ""
        upload = self._mine(me, media_id)
        if request.arg("command", "STATUS") != "STATUS" or upload is None:
            return wire.invalid_request("media_id", media_id, "Invalid media id.")
        upload.status_checks += 1
        upload.state = "in_progress" if upload.status_checks == 1 else "succeeded"
        return SimResponse.json({"data": _data(upload)})


def _data(upload: Upload) -> dict[str, Any]:
    prefix = {"photo": "3", "video": "7", "animated_gif": "16"}[upload.kind]
    data: dict[str, Any] = {
        "id": upload.media_id, "media_key": f"{prefix}_{upload.media_id}",
        "expires_after_secs": LIFETIME,
    }  # fmt: skip
    if upload.state != "uploading":
        data["size"] = len(upload.data)
    if upload.state in ("pending", "in_progress"):
        progress = 0 if upload.state == "pending" else 50
        data["processing_info"] = {"state": upload.state, "check_after_secs": 1,
                                   "progress_percent": progress}  # fmt: skip
    elif upload.kind == "video" and upload.state == "succeeded":
        data["processing_info"] = {"state": "succeeded", "progress_percent": 100}
    return data


def post_failed() -> SimResponse:
    """``media_post_fails``: X's answer when a post with media could not be made."""
    return wire.problem(503, "Service Unavailable", "Service Unavailable")
