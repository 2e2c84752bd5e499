"""Graph attachments → ``MediaItem``s. Pure.

Messenger messages carry ``attachments{…}`` (``image_data``, ``video_data``, ``file_url``), a
``sticker`` URL and ``shares{link}``; Page comments carry one ``attachment`` whose ``type`` is
``photo``, ``sticker``, ``video_inline``, ``share`` (and a few more, kept as fallbacks).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.base import MediaItem, MediaKind

ATTACHMENT_FIELDS = "attachments{id,mime_type,name,size,image_data,video_data,file_url}"
MESSAGE_MEDIA_FIELDS = f"{ATTACHMENT_FIELDS},sticker,shares{{link,name}}"
_COMMENT_KINDS = {
    "photo": MediaKind.PHOTO,
    "sticker": MediaKind.STICKER,
    "video_inline": MediaKind.VIDEO,
    "animated_image_share": MediaKind.ANIMATED_GIF,
    "share": MediaKind.SHARE,
}


def message_media(item: Mapping[str, Any]) -> tuple[MediaItem, ...]:
    found = [_attachment(a) for a in _edge(item, "attachments")]
    sticker = item.get("sticker")
    if isinstance(sticker, str) and sticker:
        found.append(MediaItem(kind=MediaKind.STICKER, url=sticker, mime_hint="image/png"))
    for share in _edge(item, "shares"):
        link = share.get("link")
        found.append(MediaItem(kind=MediaKind.SHARE, url=link if isinstance(link, str) else "",
                               alt_text=_str(share, "name")))  # fmt: skip
    return tuple(found)


def comment_media(item: Mapping[str, Any]) -> tuple[MediaItem, ...]:
    attachment = item.get("attachment")
    if not isinstance(attachment, Mapping):
        return ()
    kind = _COMMENT_KINDS.get(_str(attachment, "type"), MediaKind.FALLBACK)
    media = attachment.get("media") if isinstance(attachment.get("media"), Mapping) else {}
    image = media.get("image") if isinstance(media.get("image"), Mapping) else {}
    target = attachment.get("target") if isinstance(attachment.get("target"), Mapping) else {}
    if kind is MediaKind.SHARE:
        url, mime = _str(attachment, "url") or _str(target, "url"), ""
    elif kind is MediaKind.VIDEO:
        url, mime = _str(media, "source") or _str(image, "src"), ""
    else:
        url, mime = _str(image, "src"), "image/jpeg"
    return (
        MediaItem(
            kind=kind,
            url=url,
            alt_text=_str(attachment, "description") or _str(attachment, "title"),
            mime_hint=mime,
            key=_str(target, "id"),
        ),
    )


def _attachment(attachment: Mapping[str, Any]) -> MediaItem:
    mime = _str(attachment, "mime_type")
    image = attachment.get("image_data")
    video = attachment.get("video_data")
    key = _str(attachment, "id")
    if isinstance(image, Mapping):
        sticker = image.get("render_as_sticker") is True
        kind = MediaKind.STICKER if sticker else MediaKind.PHOTO
        if mime == "image/gif" and not sticker:
            kind = MediaKind.ANIMATED_GIF
        return MediaItem(kind=kind, url=_str(image, "url"), mime_hint=mime, key=key)
    if isinstance(video, Mapping):
        return MediaItem(kind=MediaKind.VIDEO, url=_str(video, "url"), mime_hint=mime, key=key)
    file_url = _str(attachment, "file_url")
    if file_url:
        kind = MediaKind.AUDIO if mime.startswith("audio/") else MediaKind.FILE
        return MediaItem(kind=kind, url=file_url, alt_text=_str(attachment, "name"),
                         mime_hint=mime, key=key)  # fmt: skip
    return MediaItem(kind=MediaKind.FALLBACK, alt_text=_str(attachment, "name"), key=key)


def _edge(item: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    edge = item.get(name)
    data = edge.get("data") if isinstance(edge, Mapping) else None
    return [d for d in data if isinstance(d, Mapping)] if isinstance(data, list) else []


def _str(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    return value if isinstance(value, str) else ""
