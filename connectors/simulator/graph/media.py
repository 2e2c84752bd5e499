"""Attachments as Graph writes them: a Messenger message's media fields and a comment's
``attachment``. Tests and the traffic generator build media with these."""

from __future__ import annotations

import itertools
from typing import Any

_ids = itertools.count(2_100_000_000_000_001)


def _attachment(mime: str, name: str, size: int, **data: Any) -> dict[str, Any]:
    return {"id": str(next(_ids)), "mime_type": mime, "name": name, "size": size, **data}


def messenger_photo(url: str, mime: str = "image/jpeg", sticker: bool = False) -> dict[str, Any]:
    image = {"width": 1080, "height": 1440, "max_width": 1080, "max_height": 1440, "url": url,
             "preview_url": url + "&preview=1", "image_type": 1,
             "render_as_sticker": sticker}  # fmt: skip
    return {"attachments": {"data": [_attachment(mime, "image.jpg", 48213, image_data=image)]}}


def messenger_video(url: str) -> dict[str, Any]:
    video = {"width": 720, "height": 1280, "length": 12, "video_type": 1, "url": url,
             "preview_url": url + "&preview=1", "rotation": 0}  # fmt: skip
    return {"attachments": {"data": [_attachment("video/mp4", "video.mp4", 1_204_112,
                                                 video_data=video)]}}  # fmt: skip


def messenger_file(url: str, name: str, mime: str) -> dict[str, Any]:
    return {"attachments": {"data": [_attachment(mime, name, 20_480, file_url=url)]}}


def messenger_sticker(url: str) -> dict[str, Any]:
    return {"sticker": url}


def messenger_share(link: str, name: str = "") -> dict[str, Any]:
    return {"shares": {"data": [{"link": link, "name": name, "id": str(next(_ids))}]}}


def comment_attachment(kind: str, url: str, target_id: str = "") -> dict[str, Any]:
    """``kind``: photo, sticker, video_inline or share."""
    target_id = target_id or str(next(_ids))
    attachment: dict[str, Any] = {
        "type": kind,
        "target": {"id": target_id, "url": f"https://www.facebook.com/photo.php?fbid={target_id}"},
        "url": f"https://www.facebook.com/photo.php?fbid={target_id}",
    }
    if kind == "share":
        attachment["url"] = attachment["target"]["url"] = url
        attachment["title"] = url
    else:
        attachment["media"] = {"image": {"height": 720, "width": 720, "src": url}}
        if kind == "video_inline":
            attachment["media"]["source"] = url.replace(".jpg", ".mp4")
    return attachment
