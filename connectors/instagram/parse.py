"""Instagram Graph payloads → inbox DTOs. Pure: no HTTP, no clock.

Comments thread under their top-level comment (Instagram nests one level: a reply carries
``parent_id``); DMs thread under their conversation. People are ``{id, username}`` (Instagram
gives no display name). Items written by the Instagram account itself are ``from_account``
(its own replies, and the echoes of its DMs). A DM may be a story reply or a story mention:
the story's media comes along as a ``MediaItem``, the text may be empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.base import ContactRef, InboundMessage, MediaItem, MediaKind, ThreadKind
from connectors.facebook.media import message_media
from connectors.facebook.parse import MalformedItem, parse_graph_time

STORY_KINDS = {"reply_to": "story reply", "mention": "story mention"}


def ig_comment(item: Mapping[str, Any], account_id: str) -> InboundMessage:
    comment_id = _text(item, "id")
    author = _author(item)
    parent_id = item.get("parent_id")
    if parent_id is not None and (not isinstance(parent_id, str) or not parent_id):
        raise MalformedItem("parent_id is not an id")
    body = item.get("text", "")
    if not isinstance(body, str):
        raise MalformedItem("text is not text")
    return InboundMessage(
        external_id=comment_id,
        thread_external_id=parent_id or comment_id,
        kind=ThreadKind.PUBLIC,
        author=author,
        body=body,
        sent_at=parse_graph_time(item.get("timestamp")),
        from_account=author.external_id == account_id,
        in_reply_to_external_id=parent_id,
    )


def ig_replies(item: Mapping[str, Any]) -> list[Any]:
    """The replies nested in a top-level comment (Graph omits the edge when there are none)."""
    replies = item.get("replies")
    if replies is None:
        return []
    if not isinstance(replies, Mapping) or not isinstance(replies.get("data"), list):
        raise MalformedItem("replies is not a list edge")
    return [{**r, "parent_id": r.get("parent_id") or item.get("id")} if isinstance(r, Mapping)
            else r for r in replies["data"]]  # fmt: skip


def ig_message(item: Mapping[str, Any], conversation_id: str, account_id: str) -> InboundMessage:
    author = _author(item)
    from_account = author.external_id == account_id
    if from_account:  # the account's own message (an echo): its customer is the recipient
        author = _recipient(item) or author
    body = item.get("message", "")
    if not isinstance(body, str):
        raise MalformedItem("message is not text")
    return InboundMessage(
        external_id=_text(item, "id"),
        thread_external_id=conversation_id,
        kind=ThreadKind.PRIVATE,
        author=author,
        body=body,
        sent_at=parse_graph_time(item.get("created_time")),
        from_account=from_account,
        media=message_media(item) + _story(item),
    )


def _recipient(item: Mapping[str, Any]) -> ContactRef | None:
    to = item.get("to")
    people = to.get("data") if isinstance(to, Mapping) else None
    if not isinstance(people, list) or not people or not isinstance(people[0], Mapping):
        return None
    try:
        return _author({"from": people[0]})
    except MalformedItem:
        return None


def _story(item: Mapping[str, Any]) -> tuple[MediaItem, ...]:
    story = item.get("story")
    if not isinstance(story, Mapping):
        return ()
    for key, label in STORY_KINDS.items():
        ref = story.get(key)
        if isinstance(ref, Mapping) and isinstance(ref.get("link"), str):
            key_id = ref.get("id")
            return (
                MediaItem(
                    kind=MediaKind.PHOTO,
                    url=ref["link"],
                    alt_text=label,
                    key=key_id if isinstance(key_id, str) else "",
                ),
            )
    return ()


def _text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value:
        raise MalformedItem(f"missing {key}")
    return value


def _author(item: Mapping[str, Any]) -> ContactRef:
    sender = item.get("from")
    if not isinstance(sender, Mapping):
        raise MalformedItem("missing from")
    username = sender.get("username") or item.get("username") or ""
    if not isinstance(username, str):
        raise MalformedItem("username is not text")
    return ContactRef(external_id=_text(sender, "id"), name=username, handle=username)
