"""X API v2 payloads → Svar's DTOs. Pure: no HTTP, no ORM.

Each item is judged on its own: one malformed tweet becomes a ``RejectedItem`` (reason plus the
raw JSON) and the rest of the page is still delivered.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors.base import ContactRef, InboundMessage, RejectedItem, ThreadKind
from connectors.twitter.media import attached_media, media_index

DM_THREAD_PREFIX = "dm:"


class MalformedItem(ValueError):
    """An item that cannot become a message; the reason is the exception text."""


@dataclass(frozen=True, slots=True)
class ParsedPage:
    messages: tuple[InboundMessage, ...]
    rejected: tuple[RejectedItem, ...]
    ids: tuple[int, ...]  # numeric ids of every item with one, parsed or rejected
    rejected_ids: tuple[int | None, ...] = ()  # parallel to ``rejected``


def dm_thread_id(dm_conversation_id: str) -> str:
    return DM_THREAD_PREFIX + dm_conversation_id


def parse_mentions(payload: Mapping[str, Any], account_user_id: str) -> ParsedPage:
    page = _Page(_users(payload), media_index(payload), account_user_id)
    return _parse_items(payload, lambda item: _mention(item, page))


def parse_dm_events(payload: Mapping[str, Any], account_user_id: str) -> ParsedPage:
    page = _Page(
        _users(payload),
        media_index(payload),
        account_user_id,
        _group_customers(payload, account_user_id),
    )
    return _parse_items(payload, lambda item: _dm(item, page))


@dataclass(frozen=True, slots=True)
class _Page:
    """What a page's items share: its expansions, and whose account is reading."""

    users: Mapping[str, Mapping[str, Any]]
    media: Mapping[str, Mapping[str, Any]]
    account_user_id: str
    # Group DM conversation -> the newest customer seen writing in it on this page.
    group_customers: Mapping[str, str] | None = None


def sender_ids_without_user(payload: Mapping[str, Any], account_user_id: str) -> set[str]:
    """DM senders the page's ``includes.users`` does not describe (to look up by id)."""
    users = _users(payload)
    data = payload.get("data")
    return {
        str(e["sender_id"])
        for e in (data if isinstance(data, list) else [])
        if isinstance(e, dict) and isinstance(e.get("sender_id"), str)
        and e["sender_id"] != account_user_id and e["sender_id"] not in users
    }  # fmt: skip


def _parse_items(
    payload: Mapping[str, Any], convert: Callable[[Any], InboundMessage | None]
) -> ParsedPage:
    data = payload.get("data") or []
    messages: list[InboundMessage] = []
    rejected: list[RejectedItem] = []
    rejected_ids: list[int | None] = []
    ids: list[int] = []
    if not isinstance(data, list):
        data = [data]
    for item in data:
        item_id = item.get("id") if isinstance(item, dict) else None
        numeric = int(item_id) if isinstance(item_id, str) and item_id.isdigit() else None
        if numeric is not None:
            ids.append(numeric)
        try:
            message = convert(item)
        except MalformedItem as error:
            rejected.append(RejectedItem(reason=str(error), raw=_raw(item)))
            rejected_ids.append(numeric)
            continue
        if message is not None:
            messages.append(message)
    return ParsedPage(
        messages=tuple(messages),
        rejected=tuple(rejected),
        ids=tuple(ids),
        rejected_ids=tuple(rejected_ids),
    )


def _mention(item: Any, page: _Page) -> InboundMessage:
    users, account_user_id = page.users, page.account_user_id
    tweet = _object(item)
    tweet_id = _id(tweet, "id")
    author_id = _id(tweet, "author_id")
    replied_to = _replied_to(tweet)
    from_account = author_id == account_user_id
    # Our own tweet seen again: the conversation's customer is the one it answers.
    contact_id = tweet.get("in_reply_to_user_id") if from_account else author_id
    return InboundMessage(
        external_id=tweet_id,
        thread_external_id=_optional_id(tweet, "conversation_id") or tweet_id,
        kind=ThreadKind.PUBLIC,
        author=_contact(str(contact_id or author_id), users),
        body=html.unescape(_text(tweet)),  # X v2 escapes &, < and > in tweet text
        sent_at=_time(tweet),
        from_account=from_account,
        in_reply_to_external_id=replied_to,
        media=attached_media(tweet, page.media),
    )


def _dm(item: Any, page: _Page) -> InboundMessage | None:
    account_user_id = page.account_user_id
    event = _object(item)
    event_type = event.get("event_type")
    if not isinstance(event_type, str):
        raise MalformedItem("DM event without event_type")
    if event_type != "MessageCreate":
        return None  # participants joining or leaving: nothing to answer
    event_id = _id(event, "id")
    sender_id = _id(event, "sender_id")
    conversation = event.get("dm_conversation_id")
    if not isinstance(conversation, str) or not conversation:
        raise MalformedItem("DM event without dm_conversation_id")
    from_account = sender_id == account_user_id
    contact_id = sender_id
    if from_account:
        contact_id = _customer_of(conversation, account_user_id, page.group_customers or {})
    return InboundMessage(
        external_id=event_id,
        thread_external_id=dm_thread_id(conversation),
        kind=ThreadKind.PRIVATE,
        author=_contact(contact_id, page.users),
        body=_dm_text(event),
        sent_at=_time(event),
        from_account=from_account,
        media=attached_media(event, page.media),
    )


# -- field readers ------------------------------------------------------------------------------


def _users(payload: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    includes = payload.get("includes")
    users = includes.get("users") if isinstance(includes, dict) else None
    if not isinstance(users, list):
        return {}
    return {str(u["id"]): u for u in users if isinstance(u, dict) and "id" in u}


def _contact(user_id: str, users: Mapping[str, Mapping[str, Any]]) -> ContactRef:
    user = users.get(user_id, {})
    return ContactRef(
        external_id=user_id,
        name=str(user.get("name") or ""),
        handle=str(user.get("username") or ""),
    )


def _object(item: Any) -> Mapping[str, Any]:
    if not isinstance(item, dict):
        raise MalformedItem(f"expected an object, got {type(item).__name__}")
    return item


def _id(item: Mapping[str, Any], name: str) -> str:
    value = _optional_id(item, name)
    if value is None:
        raise MalformedItem(f"missing {name}")
    return value


def _optional_id(item: Mapping[str, Any], name: str) -> str | None:
    value = item.get(name)
    if value is None:
        return None
    # X sends ids as strings; a bare number would lose precision in many JSON readers.
    if not isinstance(value, str) or not value.isdigit():
        raise MalformedItem(f"{name} is not a numeric string: {value!r}")
    return value


def _text(item: Mapping[str, Any]) -> str:
    text = item.get("text")
    if not isinstance(text, str):
        raise MalformedItem("missing text")
    return text


def _time(item: Mapping[str, Any]) -> datetime:
    """Any ISO 8601 instant with a zone; X sends milliseconds, but their absence is harmless."""
    value = item.get("created_at")
    if not isinstance(value, str):
        raise MalformedItem("missing created_at")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise MalformedItem(f"created_at is not an ISO 8601 time: {value!r}") from None
    if parsed.tzinfo is None:
        raise MalformedItem(f"created_at has no time zone: {value!r}")
    return parsed


def _dm_text(event: Mapping[str, Any]) -> str:
    """A DM that is only media may come without ``text``; with media attached that is fine."""
    if event.get("text") is None and isinstance(event.get("attachments"), dict):
        return ""
    return _text(event)


def _replied_to(tweet: Mapping[str, Any]) -> str | None:
    references = tweet.get("referenced_tweets") or []
    if not isinstance(references, Sequence):
        return None
    for reference in references:
        if isinstance(reference, dict) and reference.get("type") == "replied_to":
            return _optional_id(reference, "id")
    return None


def _group_customers(payload: Mapping[str, Any], account_user_id: str) -> dict[str, str]:
    """For each group conversation (an id without a hyphen) on the page, a sender in it; pages
    come newest first, so the first one seen is the newest."""
    data = payload.get("data")
    found: dict[str, str] = {}
    for event in data if isinstance(data, list) else []:
        if not isinstance(event, dict):
            continue
        conversation, sender = event.get("dm_conversation_id"), event.get("sender_id")
        group = isinstance(conversation, str) and "-" not in conversation
        if group and isinstance(sender, str) and sender != account_user_id:
            found.setdefault(str(conversation), sender)
    return found


def _customer_of(conversation: str, account_user_id: str, groups: Mapping[str, str]) -> str:
    """Whom the account's own DM answers. A group conversation's id names nobody: the customer
    is another member seen writing in it, never the conversation id itself."""
    if "-" in conversation:
        return _other_participant(conversation, account_user_id)
    customer = groups.get(conversation)
    if customer is None:
        raise MalformedItem(
            f"the account's own message in group conversation {conversation!r}, "
            "with no member's message beside it to tell whom it answers"
        )
    return customer


def _other_participant(conversation: str, account_user_id: str) -> str:
    """One-to-one DM conversation ids are ``<low id>-<high id>``."""
    others = [p for p in conversation.split("-") if p and p != account_user_id]
    if len(others) != 1 or not others[0].isdigit():
        raise MalformedItem(f"cannot tell the other participant of {conversation!r}")
    return others[0]


def _raw(item: Any) -> str:
    return json.dumps(item, ensure_ascii=False, sort_keys=True)
