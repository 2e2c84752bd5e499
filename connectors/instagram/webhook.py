"""Instagram webhook deliveries → inbox DTOs, through the same parser as the polls. Pure.

A delivery is ``{"object": "instagram", "entry": [{"id": ig-user-id, "time", "changes": […]}]}``
on Meta's one webhook route. ``comments`` changes carry the comment (``id``, ``text``,
``from{id,username}``, ``media{id}``, ``parent_id`` for a reply) but no time of their own: the
entry's ``time`` (milliseconds) stands for it. DMs (``messaging``) are left to the polls, which
know their conversation ids. ``mentions`` changes name only ``{media_id, comment_id}``: the
caller looks each up (``InstagramConnector.mention``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from connectors.base import InboundMessage, RejectedItem
from connectors.facebook.parse import MalformedItem, graph_time, reject
from connectors.facebook.webhook import PageEntries
from connectors.instagram.mentions import MentionRef, mention_ref
from connectors.instagram.parse import ig_comment


def instagram_entries(payload: Mapping[str, Any]) -> list[PageEntries]:
    entries = payload.get("entry")
    if not isinstance(entries, list):
        return []
    return [_entries(e) for e in entries if isinstance(e, Mapping) and e.get("id")]


def _entries(entry: Mapping[str, Any]) -> PageEntries:
    account_id = str(entry["id"])
    comments: list[InboundMessage] = []
    rejected: list[RejectedItem] = []
    changes = entry.get("changes")
    mentions: list[MentionRef] = []
    for change in changes if isinstance(changes, list) else []:
        if isinstance(change, Mapping) and change.get("field") == "mentions":
            try:
                mentions.append(mention_ref(change.get("value")))
            except MalformedItem as error:
                rejected.append(reject(change, str(error)))
            continue
        if not isinstance(change, Mapping) or change.get("field") != "comments":
            continue
        value = change.get("value")
        try:
            if not isinstance(value, Mapping):
                raise MalformedItem("comments change without a value")
            item = {**value, "timestamp": value.get("timestamp") or _moment(entry.get("time"))}
            comments.append(ig_comment(item, account_id))
        except MalformedItem as error:
            rejected.append(reject(change, str(error)))
    return PageEntries(account_id, tuple(comments), (), tuple(rejected), tuple(mentions))


def _moment(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        return graph_time(datetime.fromtimestamp(seconds, UTC))
    return value
