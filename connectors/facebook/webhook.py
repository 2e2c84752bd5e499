"""Meta webhook deliveries → inbox DTOs, through the same parsers as the Graph polls. Pure.

A delivery is ``{"object": "page", "entry": [{"id": page, "time", "messaging": […],
"changes": […]}]}``. Feed changes (``field: "feed"``, ``item: "comment"``, ``verb: "add"``)
carry the whole comment; Messenger events name the customer (PSID) but not the ``t_…``
conversation the polls thread under, so the caller resolves that (:func:`messenger_thread`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from connectors.base import InboundMessage, RejectedItem
from connectors.facebook.client import GraphClient
from connectors.facebook.parse import (
    MalformedItem,
    comment_message,
    graph_time,
    messenger_message,
    reject,
)


@dataclass(frozen=True, slots=True)
class MessengerEvent:
    """One Messenger message of a delivery, waiting for its conversation id."""

    customer_id: str  # the PSID: the sender, or the recipient of the Page's own message
    item: dict[str, Any]  # a Graph message item, as a poll would read it


@dataclass(frozen=True, slots=True)
class PageEntries:
    """What one delivery holds for one Page."""

    page_id: str
    comments: tuple[InboundMessage, ...]
    messenger: tuple[MessengerEvent, ...]
    rejected: tuple[RejectedItem, ...]
    mentions: tuple[Any, ...] = ()  # Instagram: MentionRefs, looked up by the caller


def delivery_entries(payload: Any) -> list[PageEntries]:
    """Every Page's items in a parsed delivery; other objects and fields are ignored."""
    if isinstance(payload, Mapping) and payload.get("object") == "instagram":
        from connectors.instagram.webhook import instagram_entries  # it builds on this module

        return instagram_entries(payload)
    if not isinstance(payload, Mapping) or payload.get("object") != "page":
        return []
    entries = payload.get("entry")
    if not isinstance(entries, list):
        return []
    return [_page_entries(e) for e in entries if isinstance(e, Mapping) and e.get("id")]


def delivery_page_ids(payload: Any) -> set[str]:
    return {e.page_id for e in delivery_entries(payload)}


def _page_entries(entry: Mapping[str, Any]) -> PageEntries:
    page_id = str(entry["id"])
    comments: list[InboundMessage] = []
    messenger: list[MessengerEvent] = []
    rejected: list[RejectedItem] = []
    for change in _list(entry, "changes"):
        try:
            comment = feed_comment(change, page_id)
        except MalformedItem as error:
            rejected.append(reject(change, str(error)))
            continue
        if comment is not None:
            comments.append(comment)
    for event in _list(entry, "messaging"):
        try:
            found = messenger_event(event, page_id)
        except MalformedItem as error:
            rejected.append(reject(event, str(error)))
            continue
        if found is not None:
            messenger.append(found)
    return PageEntries(page_id, tuple(comments), tuple(messenger), tuple(rejected))


def feed_comment(change: Any, page_id: str) -> InboundMessage | None:
    """A new comment from a feed change; None for other feed items and verbs."""
    if not isinstance(change, Mapping) or change.get("field") != "feed":
        return None
    value = change.get("value")
    if not isinstance(value, Mapping):
        raise MalformedItem("feed change without a value")
    if value.get("item") != "comment" or value.get("verb") != "add":
        return None
    parent_id = value.get("parent_id")
    item = {
        "id": value.get("comment_id"),
        "from": value.get("from"),
        "message": value.get("message", ""),
        "created_time": _graph_time(value.get("created_time")),
    }
    # A top-level comment's parent is the post itself.
    if parent_id and parent_id != value.get("post_id"):
        item["parent"] = {"id": parent_id}
    return comment_message(item, page_id)


def messenger_event(event: Any, page_id: str) -> MessengerEvent | None:
    """A text or attachment message; None for reads, deliveries, postbacks and reactions."""
    if not isinstance(event, Mapping) or not isinstance(event.get("message"), Mapping):
        return None
    message = event["message"]
    sender, recipient = _party(event, "sender"), _party(event, "recipient")
    from_page = sender == page_id
    item = {
        "id": message.get("mid"),
        "from": {"id": sender, "name": ""},
        "message": message.get("text", ""),
        "created_time": _graph_time(event.get("timestamp")),
    }
    return MessengerEvent(customer_id=recipient if from_page else sender, item=item)


def messenger_item(
    event: MessengerEvent, conversation_id: str, page_id: str, name: str
) -> InboundMessage:
    """The event as a Messenger message of ``conversation_id``; ``name``: the customer's."""
    item = dict(event.item)
    if item["from"]["id"] == event.customer_id:
        item["from"] = {"id": event.customer_id, "name": name}
    return messenger_message(item, conversation_id, page_id)


def messenger_thread(client: GraphClient, page_id: str, customer_id: str) -> tuple[str, str]:
    """The conversation id and customer name of the Page's thread with ``customer_id``."""
    page = client.get(
        f"{page_id}/conversations", client.conversations_pacer, platform="messenger",
        user_id=customer_id, fields="id,participants",
    )  # fmt: skip
    for thread in page.get("data") or []:
        participants = (thread.get("participants") or {}).get("data") or []
        name = next((p.get("name", "") for p in participants if p.get("id") == customer_id), "")
        return str(thread["id"]), name
    raise MalformedItem(f"no Messenger conversation with {customer_id}")


def _list(entry: Mapping[str, Any], key: str) -> list[Any]:
    value = entry.get(key)
    return value if isinstance(value, list) else []


def _party(event: Mapping[str, Any], key: str) -> str:
    party = event.get(key)
    value = party.get("id") if isinstance(party, Mapping) else None
    if not isinstance(value, str | int) or not str(value):
        raise MalformedItem(f"missing {key}")
    return str(value)


def _graph_time(value: Any) -> Any:
    """Meta sends Unix times (seconds in feed changes, milliseconds in Messenger events)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        return graph_time(datetime.fromtimestamp(seconds, UTC))
    return value
