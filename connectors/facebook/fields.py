"""The Graph fields the connector asks for: one place, so a missing one is seen at once."""

from __future__ import annotations

from connectors.facebook.media import MESSAGE_MEDIA_FIELDS

PAGE_SIZE = 25
# ``attachment``: a comment's photo, sticker, video or shared link.
COMMENT_FIELDS = "id,message,from,created_time,parent,attachment"
# ``attachments``, ``sticker``, ``shares``: a message may be only a photo, with no text at all.
MESSAGE_FIELDS = f"id,message,from,created_time,{MESSAGE_MEDIA_FIELDS}"
# filter(stream) brings replies too (Graph's default is top-level comments only); the summary's
# total_count shows a token that may count the comments but not read them.
FEED_FIELDS = (
    "id,message,created_time,updated_time,comments.filter(stream).order(reverse_chronological)"
    f".limit(50).summary(true){{{COMMENT_FIELDS}}}"
)
CONVERSATION_FIELDS = f"participants,updated_time,messages.limit({PAGE_SIZE}){{{MESSAGE_FIELDS}}}"
