"""What the API and the live events say about a message's media (issue #13).

The file's URLs are Svar's own access-checked routes (``web.views.media``), never the
platform's CDN link (it expires, and it would tell the client where the customer's file was):
``url`` and ``thumbnail_url`` are set only once a file is stored. ``link_url`` is what the
customer shared (a link, not a file). ``download`` says the file is only ever served as a
download (SVG, HTML, PDF, anything unknown), never shown inline.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from inbox.media.sniff import INLINE_TYPES
from inbox.models import Media, MediaState, ReplyAttachment


def media_snapshot(media: Media) -> dict[str, Any]:
    stored = media.state == MediaState.STORED
    return {
        "id": media.pk,
        "message_id": media.message_id,
        "position": media.position,
        "kind": media.kind,
        "state": media.state,
        "alt_text": media.alt_text,
        "content_type": media.content_type if stored else None,
        "size": media.size if stored else None,
        "url": reverse("media-file", args=[media.pk]) if stored else None,
        "thumbnail_url": (
            reverse("media-thumbnail", args=[media.pk]) if stored and media.thumbnail else None
        ),
        "download": stored and media.content_type not in INLINE_TYPES,
        "link_url": media.link_url or None,
        **_reason(media),
    }


def _reason(media: Media) -> dict[str, str]:
    """Why it is unavailable: the code, the reason in the active language (the request's: the
    agent's own), and the technical detail. A row from before the codes has no code, and its
    stored English sentence as the reason."""
    if media.state != MediaState.UNAVAILABLE:
        return {"reason_code": "", "reason": "", "reason_detail": ""}
    return {
        "reason_code": media.unavailable_code,
        "reason": media.reason_text,
        "reason_detail": media.reason_detail,
    }


def media_snapshots(media: Iterable[Media]) -> list[dict[str, Any]]:
    return [media_snapshot(m) for m in sorted(media, key=lambda m: m.position)]


def attachment_snapshot(attachment: ReplyAttachment) -> dict[str, Any]:
    """A file an agent attached to a reply, as the attachments API and the reply's message
    (REST and live events) show it."""
    return {
        "id": attachment.pk,
        "kind": attachment.kind,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "created_at": attachment.created_at.isoformat(),
        "uploaded_by_id": attachment.uploaded_by_id,
    }


def attachment_snapshots(attachments: Iterable[ReplyAttachment]) -> list[dict[str, Any]]:
    return [attachment_snapshot(a) for a in sorted(attachments, key=lambda a: (a.position, a.pk))]
