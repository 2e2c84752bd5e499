"""X media objects (``includes.media``) → ``MediaItem``s. Pure.

A tweet or DM event names its media in ``attachments.media_keys``; the objects themselves come
once per page in ``includes.media`` (``expansions=attachments.media_keys``). A video or an
animated GIF has no ``url``: its file is the highest-bitrate MP4 among ``variants``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.base import MediaItem, MediaKind

MEDIA_FIELDS = ["type", "url", "preview_image_url", "variants", "alt_text", "width", "height"]
MEDIA_EXPANSION = "attachments.media_keys"
_KINDS = {
    "photo": MediaKind.PHOTO,
    "video": MediaKind.VIDEO,
    "animated_gif": MediaKind.ANIMATED_GIF,
}


def media_index(payload: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    includes = payload.get("includes")
    media = includes.get("media") if isinstance(includes, Mapping) else None
    if not isinstance(media, list):
        return {}
    return {
        m["media_key"]: m
        for m in media
        if isinstance(m, Mapping) and isinstance(m.get("media_key"), str)
    }


def attached_media(
    item: Mapping[str, Any], index: Mapping[str, Mapping[str, Any]]
) -> tuple[MediaItem, ...]:
    """The item's media, in the order it names them; a key missing from the page's includes
    (deleted media, or a page without the expansion) still says that something was attached."""
    attachments = item.get("attachments")
    keys = attachments.get("media_keys") if isinstance(attachments, Mapping) else None
    if not isinstance(keys, list):
        return ()
    return tuple(_item(key, index.get(key)) for key in keys if isinstance(key, str))


def _item(key: str, media: Mapping[str, Any] | None) -> MediaItem:
    if media is None:
        return MediaItem(kind=MediaKind.FALLBACK, key=key)
    kind = _KINDS.get(str(media.get("type")), MediaKind.FALLBACK)
    url, mime = _best_file(media) if kind is not MediaKind.PHOTO else (media.get("url"), "")
    alt = media.get("alt_text")
    return MediaItem(
        kind=kind,
        url=url if isinstance(url, str) else "",
        alt_text=alt if isinstance(alt, str) else "",
        mime_hint=mime or ("image/jpeg" if kind is MediaKind.PHOTO else ""),
        key=key,
    )


def _best_file(media: Mapping[str, Any]) -> tuple[str, str]:
    """The highest-bitrate MP4 variant (HLS playlists are no file to keep); else the preview."""
    variants = media.get("variants")
    mp4s = [
        v
        for v in (variants if isinstance(variants, list) else [])
        if isinstance(v, Mapping) and v.get("content_type") == "video/mp4"
        and isinstance(v.get("url"), str)
    ]  # fmt: skip
    if mp4s:
        best = max(
            mp4s, key=lambda v: v.get("bit_rate") if isinstance(v.get("bit_rate"), int) else 0
        )
        return best["url"], "video/mp4"
    preview = media.get("preview_image_url")
    return (preview, "image/jpeg") if isinstance(preview, str) else ("", "")
