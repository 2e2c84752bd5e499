"""Media on the simulated X: media objects as X API v2 writes them, and the page ``includes``.

A tweet or DM event names its media in ``attachments.media_keys``; with
``expansions=attachments.media_keys`` the page's ``includes.media`` holds the objects, each cut
to ``media.fields`` (``media_key`` and ``type`` always). Photos have a ``url``; videos and
animated GIFs only ``variants`` (MP4 at several bitrates plus an HLS playlist) and a preview.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from connectors.simulator.wire import SimRequest, SimResponse
from connectors.simulator.x import wire

MEDIA_DEFAULT_FIELDS = ("media_key", "type")
_keys = itertools.count(1_700_000_000_000_000_000)


def photo(url: str, alt_text: str = "", width: int = 1200, height: int = 900) -> dict[str, Any]:
    return {"media_key": f"3_{next(_keys)}", "type": "photo", "url": url, "alt_text": alt_text,
            "width": width, "height": height}  # fmt: skip


def video(url: str, preview_url: str, *, gif: bool = False) -> dict[str, Any]:
    """A video (or animated GIF: one MP4 at bit_rate 0) with its variants, best last."""
    variants: list[dict[str, Any]] = [{"bit_rate": 0, "content_type": "video/mp4", "url": url}]
    if not gif:
        variants = [
            {"content_type": "application/x-mpegURL", "url": url.rsplit(".", 1)[0] + ".m3u8"},
            {"bit_rate": 256000, "content_type": "video/mp4", "url": url + "?low=1"},
            {"bit_rate": 2176000, "content_type": "video/mp4", "url": url},
        ]
    prefix = "16" if gif else "7"
    return {"media_key": f"{prefix}_{next(_keys)}", "type": "animated_gif" if gif else "video",
            "preview_image_url": preview_url, "variants": variants, "width": 1280,
            "height": 720}  # fmt: skip


def attach(
    store: dict[str, dict[str, Any]], item: dict[str, Any], media: Sequence[Mapping]
) -> None:
    """Give a tweet or DM event its media (kept in ``store`` by key)."""
    if not media:
        return
    for medium in media:
        store[str(medium["media_key"])] = dict(medium)
    item["attachments"] = {"media_keys": [str(m["media_key"]) for m in media]}


def includes(
    request: SimRequest,
    items: Iterable[Mapping[str, Any]],
    store: Mapping[str, Mapping[str, Any]],
    users: list[dict[str, Any]],
) -> dict[str, Any]:
    """The page's ``includes``: its users (already chosen) and, if expanded, its media."""
    found: dict[str, Any] = {"users": users} if users else {}
    if "attachments.media_keys" not in wire.csv_arg(request.arg("expansions")):
        return {"includes": found} if found else {}
    wanted = wire.csv_arg(request.arg("media.fields"))
    keys = [k for item in items for k in (item.get("attachments") or {}).get("media_keys", [])]
    media = [wire.select(store[k], MEDIA_DEFAULT_FIELDS, wanted) for k in dict.fromkeys(keys)
             if k in store]  # fmt: skip
    if media:
        found["media"] = media
    return {"includes": found} if found else {}


def without_users(response: SimResponse) -> SimResponse:
    """The page as X sometimes sends it: no ``includes.users`` (media includes stay)."""
    body = json.loads(response.body)
    includes = body.get("includes") or {}
    includes.pop("users", None)
    if not includes:
        body.pop("includes", None)
    return SimResponse.json(body, response.status, response.headers)
