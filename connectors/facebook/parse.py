"""Graph payloads → inbox DTOs. Pure: no HTTP, no clock.

One malformed item becomes a ``RejectedItem`` (with its raw JSON) and never costs the rest of
the page. Comments thread under their top-level comment (Facebook nests one level: a reply's
``parent`` is the top-level comment); Messenger messages thread under the ``t_…``
conversation. Items written by the Page itself are ``from_account``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from connectors.base import ContactRef, InboundMessage, RejectedItem, ThreadKind
from connectors.facebook.media import comment_media, message_media
from connectors.facebook.permissions import HIDDEN_COMMENT, hides_author

T = TypeVar("T")


class MalformedItem(ValueError):
    """An item that lacks what the inbox needs."""


def parse_graph_time(value: Any) -> datetime:
    """``2021-07-23T09:28:50+0000`` → an aware UTC datetime."""
    if not isinstance(value, str):
        raise MalformedItem(f"time is not a string: {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise MalformedItem(f"unreadable time {value!r}") from error
    if moment.tzinfo is None:
        raise MalformedItem(f"time without offset {value!r}")
    return moment.astimezone(UTC)


def graph_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S%z")


def comment_message(item: Mapping[str, Any], page_id: str) -> InboundMessage:
    if hides_author(item):
        raise MalformedItem(HIDDEN_COMMENT)
    comment_id = _text(item, "id")
    author = _author(item)
    parent = item.get("parent")
    parent_id = _text(parent, "id") if parent is not None else None
    if parent is not None and not isinstance(parent, Mapping):
        raise MalformedItem("parent is not an object")
    return InboundMessage(
        external_id=comment_id,
        thread_external_id=parent_id or comment_id,
        kind=ThreadKind.PUBLIC,
        author=author,
        body=_body(item),
        sent_at=parse_graph_time(item.get("created_time")),
        from_account=author.external_id == page_id,
        in_reply_to_external_id=parent_id,
        media=comment_media(item),
    )


def messenger_message(
    item: Mapping[str, Any], conversation_id: str, page_id: str
) -> InboundMessage:
    author = _author(item)
    return InboundMessage(
        external_id=_text(item, "id"),
        thread_external_id=conversation_id,
        kind=ThreadKind.PRIVATE,
        author=author,
        body=_body(item),
        sent_at=parse_graph_time(item.get("created_time")),
        from_account=author.external_id == page_id,
        media=message_media(item),
    )


def node_id(item: Mapping[str, Any]) -> str:
    return _text(item, "id")


def each(
    items: Iterable[Any], convert: Callable[[Mapping[str, Any]], T]
) -> tuple[list[T], list[RejectedItem]]:
    """Convert every item; the malformed ones are set aside, not fatal."""
    done: list[T] = []
    rejected: list[RejectedItem] = []
    for item in items:
        try:
            if not isinstance(item, Mapping):
                raise MalformedItem(f"item is a {type(item).__name__}, not an object")
            done.append(convert(item))
        except MalformedItem as error:
            rejected.append(reject(item, str(error)))
    return done, rejected


def reject(item: Any, reason: str) -> RejectedItem:
    return RejectedItem(reason=reason, raw=json.dumps(item, ensure_ascii=False, default=str))


def edge_items(node: Mapping[str, Any], edge: str) -> list[Any]:
    """The ``data`` of a nested edge; Graph omits an edge with nothing in it."""
    value = node.get(edge)
    if value is None:
        return []
    if not isinstance(value, Mapping) or not isinstance(value.get("data"), list):
        raise MalformedItem(f"{edge} is not a list edge")
    return value["data"]


def _text(item: Any, key: str) -> str:
    value = item.get(key) if isinstance(item, Mapping) else None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value:
        raise MalformedItem(f"missing {key}")
    return value


def _author(item: Mapping[str, Any]) -> ContactRef:
    sender = item.get("from")
    if not isinstance(sender, Mapping):
        raise MalformedItem("missing from")
    name = sender.get("name")
    return ContactRef(external_id=_text(sender, "id"), name=name if isinstance(name, str) else "")


def _body(item: Mapping[str, Any]) -> str:
    body = item.get("message", "")  # stickers and photos come without text
    if not isinstance(body, str):
        raise MalformedItem("message is not text")
    return body
