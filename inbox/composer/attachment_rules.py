"""What each channel lets a reply carry: how many files, of which kinds, how large.

One small table, read by the upload (type and size, per file) and by the reply (count and
mixing), so the composer can say which rule a file breaks before anything is posted. Figures
from the platforms' documentation (docs/platforms.md, docs/media.md "Media out"):

- X posts: up to 4 photos, or 1 animated GIF, or 1 video; photos 5 MB, GIFs 15 MB, video
  512 MB (``/2/media/upload``; chunked for GIF and video).
- X direct messages: one photo, GIF or video per message, same sizes.
- Facebook Page comments: one photo per comment (an unpublished Page photo, ``attachment_id``).
- Messenger: images, GIFs, video and files up to 25 MB each (Attachment Upload API); every
  attachment is its own message, so a reply with three files is four messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from connectors.base import Platform, ThreadKind
from inbox.models import AttachmentKind

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ChannelRule:
    label: str  # the channel, as the agent reads it in an error
    max_count: int
    max_bytes: dict[str, int]  # per kind; a kind missing here is not allowed on the channel
    alone: frozenset[str] = frozenset()  # kinds that must be the reply's only attachment


X_SIZES = {AttachmentKind.PHOTO: 5 * MB, AttachmentKind.ANIMATED_GIF: 15 * MB,
           AttachmentKind.VIDEO: 512 * MB}  # fmt: skip
MESSENGER_SIZE = 25 * MB

RULES: dict[tuple[str, str], ChannelRule] = {
    (Platform.X, ThreadKind.PUBLIC): ChannelRule(
        _("a post on X"), 4, X_SIZES,
        alone=frozenset({AttachmentKind.ANIMATED_GIF, AttachmentKind.VIDEO}),
    ),
    (Platform.X, ThreadKind.PRIVATE): ChannelRule(_("a direct message on X"), 1, X_SIZES),
    (Platform.FACEBOOK, ThreadKind.PUBLIC): ChannelRule(
        _("a Facebook comment"), 1, {AttachmentKind.PHOTO: 10 * MB}
    ),
    (Platform.FACEBOOK, ThreadKind.PRIVATE): ChannelRule(
        _("a Messenger message"), 10, dict.fromkeys(AttachmentKind.values, MESSENGER_SIZE)
    ),
}  # fmt: skip

# Kinds by the type sniffed from the bytes; anything else (SVG, HTML, unknown) is refused.
KIND_OF_TYPE = {
    "image/jpeg": AttachmentKind.PHOTO,
    "image/png": AttachmentKind.PHOTO,
    "image/webp": AttachmentKind.PHOTO,
    "image/gif": AttachmentKind.ANIMATED_GIF,
    "video/mp4": AttachmentKind.VIDEO,
    "application/pdf": AttachmentKind.FILE,
}


def rule_for(platform: str, kind: str) -> ChannelRule | None:
    """The channel's rule; None where replies carry no files (a channel not listed)."""
    return RULES.get((platform, kind))
