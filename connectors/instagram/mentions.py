"""Mentions of the Instagram account: another user's caption or comment that writes
``@account``. Instagram names only ``{media_id, comment_id}`` (the ``mentions`` webhook field);
the item is read through field expansion on the account (``mentioned_media.media_id(…)``,
``mentioned_comment.comment_id(…)``) and answered with ``POST /{ig-user-id}/mentions``.

A mention is a public thread of its own, ``mention:{media-id}`` for a caption and
``mention:{media-id}:{comment-id}`` for a comment: the answer is a comment on that media, under
the mentioning comment. Instagram gives the author's ``username`` only (no id), so the contact
is keyed by it. Parsing is pure; the lookups are the connector's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors.base import ContactRef, InboundMessage, SentReply, ThreadKind
from connectors.errors import OutcomeUnknown
from connectors.facebook.parse import MalformedItem, parse_graph_time
from connectors.instagram.fields import (
    MENTION_CHECK_FIELDS,
    MENTION_CHECK_LIMIT,
    MENTION_PREFIX,
)


@dataclass(frozen=True, slots=True)
class MentionRef:
    """One ``mentions`` webhook change: the media, and the comment if a comment mentions."""

    media_id: str
    comment_id: str | None = None


def mention_ref(value: Any) -> MentionRef:
    if not isinstance(value, Mapping) or not _id(value.get("media_id")):
        raise MalformedItem("mentions change without a media_id")
    comment_id = value.get("comment_id")
    if comment_id is not None and not _id(comment_id):
        raise MalformedItem("comment_id is not an id")
    return MentionRef(str(value["media_id"]), str(comment_id) if comment_id else None)


def mention_thread(ref: MentionRef) -> str:
    return MENTION_PREFIX + ref.media_id + (f":{ref.comment_id}" if ref.comment_id else "")


def mention_of_thread(thread_external_id: str) -> MentionRef | None:
    if not thread_external_id.startswith(MENTION_PREFIX):
        return None
    media_id, _, comment_id = thread_external_id.removeprefix(MENTION_PREFIX).partition(":")
    return MentionRef(media_id, comment_id or None)


def mention_message(answer: Any, ref: MentionRef, account_id: str) -> InboundMessage:
    """The looked-up caption or comment as an inbound public message."""
    key = "mentioned_comment" if ref.comment_id else "mentioned_media"
    item = answer.get(key) if isinstance(answer, Mapping) else None
    if not isinstance(item, Mapping):
        raise MalformedItem(f"the lookup answered without {key}")
    body = item.get("text" if ref.comment_id else "caption", "")
    username = item.get("username")
    if not isinstance(body, str):
        raise MalformedItem("the mention's text is not text")
    if not isinstance(username, str) or not username:
        raise MalformedItem("the mention has no username")
    return InboundMessage(
        external_id=ref.comment_id or ref.media_id,
        thread_external_id=mention_thread(ref),
        kind=ThreadKind.PUBLIC,
        author=ContactRef(external_id=f"@{username}", name=username, handle=username),
        body=body,
        sent_at=parse_graph_time(item.get("timestamp")),
        from_account=False,
    )


def answer_check_fields(ref: MentionRef) -> str:
    """The lookup that shows whether the account answered a caption mention: its username and
    the newest comments on the media. A comment mention has none: ``mentioned_comment`` offers
    no replies (its fields are id, text, timestamp, like_count, media)."""
    if ref.comment_id:
        raise OutcomeUnknown(
            "Instagram offers no way to read the replies under another user's comment"
        )
    return (
        f"username,mentioned_media.media_id({ref.media_id})"
        f"{{comments.limit({MENTION_CHECK_LIMIT}){{{MENTION_CHECK_FIELDS}}}}}"
    )


def own_answer(answer: Any, body: str, since: datetime) -> SentReply | None:
    """The account's comment with this text written since ``since`` among the newest comments
    on the media; None when it is surely not there. ``OutcomeUnknown`` when the page is full
    of comments newer than ``since`` (the answer may be further down)."""
    if not isinstance(answer, Mapping) or not isinstance(answer.get("username"), str):
        raise MalformedItem("the lookup answered without the account's username")
    media = answer.get("mentioned_media")
    if not isinstance(media, Mapping):
        raise MalformedItem("the lookup answered without mentioned_media")
    comments = media.get("comments") or {"data": []}  # Graph omits an empty edge
    data = comments.get("data") if isinstance(comments, Mapping) else None
    if not isinstance(data, list):
        raise MalformedItem("comments is not a list edge")
    oldest: datetime | None = None
    for item in data:
        if not isinstance(item, Mapping) or not _id(item.get("id")):
            continue
        written = parse_graph_time(item.get("timestamp"))
        oldest = written if oldest is None else min(oldest, written)
        if (
            item.get("username") == answer["username"]
            and written >= since
            and str(item.get("text", "")).strip() == body.strip()
        ):
            return SentReply(external_id=str(item["id"]), sent_at=written)
    if len(data) >= MENTION_CHECK_LIMIT and oldest is not None and oldest >= since:
        raise OutcomeUnknown("more comments were written since the attempt than one page holds")
    return None


def _id(value: Any) -> bool:
    return (isinstance(value, str) and bool(value)) or (
        isinstance(value, int) and not isinstance(value, bool)
    )
