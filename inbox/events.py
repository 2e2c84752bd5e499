"""Typed inbox events: appended to the durable log, then announced after commit.

The log (``InboxEvent``, per-team sequence) is the truth; the channel layer is only a doorbell
(DESIGN.md §5). Only services call :func:`record`.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from asgiref.sync import async_to_sync
from django.db import connection, transaction
from django.utils import timezone

from inbox.db.bulk import insert_rows
from inbox.models import Agent, ChannelAccount, Conversation, InboxEvent, Message, Note

if TYPE_CHECKING:
    from inbox.selectors.conversation_rows import ConversationRow

logger = logging.getLogger(__name__)

# A doorbell carries the events themselves when there are few; otherwise clients read the log.
DOORBELL_INLINE_MAX = 20


class EventKind(StrEnum):
    MESSAGES_RECEIVED = "messages.received"
    REPLY_CREATED = "reply.created"
    REPLY_DELIVERY = "reply.delivery_changed"
    ACCOUNT_HEALTH = "account.health_changed"
    CONVERSATION_ASSIGNED = "conversation.assigned"
    CONVERSATION_STATUS = "conversation.status_changed"
    CONVERSATION_TAGGED = "conversation.tagged"
    NOTE_CREATED = "note.created"


@dataclass(frozen=True, slots=True)
class PendingEvent:
    kind: EventKind
    conversation: Conversation | None
    payload: dict[str, Any]
    actor: Agent | None = None
    team_id: int | None = None  # for events about no single conversation (account health)

    @property
    def log_team_id(self) -> int:
        if self.conversation is not None:
            return self.conversation.team_id
        assert self.team_id is not None, "an event belongs to a team's log"
        return self.team_id


def team_group(team_id: int) -> str:
    return f"team.{team_id}"


def agent_group(agent_id: int) -> str:
    """One agent's connections, for what concerns that agent alone (never a global group)."""
    return f"agent.{agent_id}"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def agent_snapshot(agent: Agent | None) -> dict[str, Any] | None:
    if agent is None:
        return None
    return {"id": agent.pk, "public_name": agent.public_name, "initials": agent.initials}


def conversation_snapshot(
    conversation: Conversation | ConversationRow, tag_names: Sequence[str]
) -> dict[str, Any]:
    """The conversation as a list row shows it; clients keep the highest ``version``.

    The list API passes ``inbox.selectors.conversation_rows.ConversationRow`` (the same
    attributes)."""
    contact = conversation.contact
    account = conversation.account
    return {
        "id": conversation.pk,
        "version": conversation.version,
        "status": conversation.status,
        "kind": conversation.kind,
        "platform": account.platform,
        "account": {"id": account.pk, "display_name": account.display_name},
        "team_id": conversation.team_id,
        "contact": {
            "id": contact.pk,
            "name": contact.name,
            "handle": contact.handle,
        },
        "assignee": agent_snapshot(conversation.assignee),
        "waiting_since": _iso(conversation.waiting_since),
        "last_message_at": _iso(conversation.last_message_at),
        "opened_at": _iso(conversation.opened_at),
        "resolved_at": _iso(conversation.resolved_at),
        "snippet": conversation.snippet,
        "tags": sorted(tag_names),
    }


def account_snapshot(account: ChannelAccount) -> dict[str, Any]:
    """A channel account's health as the inbox shows it. Credentials are never included."""
    return {
        "id": account.pk,
        "platform": account.platform,
        "display_name": account.display_name,
        "handle": account.handle,
        "team_id": account.team_id,
        "is_active": account.is_active,
        "health": account.health,
        "last_polled_at": _iso(account.last_polled_at),
        "next_poll_at": _iso(account.next_poll_at),
        "lag_seconds": account.lag_seconds,
        "last_error": account.last_error,
        "last_error_at": _iso(account.last_error_at),
        "consecutive_failures": account.consecutive_failures,
        "rate_limit_remaining": account.rate_limit_remaining,
        "rate_limit_reset_at": _iso(account.rate_limit_reset_at),
    }


class MessageLike(Protocol):
    """What a message snapshot reads: a ``Message``, or ingest's record of one it stored."""

    pk: int
    direction: str
    external_id: str | None
    text: str
    author_contact_id: int | None
    author_agent_id: int | None
    platform_time: Any
    delivery_state: str
    delivery_error: str
    delivery_attempts: int


def message_snapshot(message: Message | MessageLike) -> dict[str, Any]:
    return {
        "id": message.pk,
        "direction": message.direction,
        "external_id": message.external_id,
        "text": message.text,
        "author_contact_id": message.author_contact_id,
        "author_agent": agent_snapshot(message.author_agent) if message.author_agent_id else None,
        "platform_time": _iso(message.platform_time),
        "delivery_state": message.delivery_state,
        "delivery_error": message.delivery_error,
        "delivery_attempts": message.delivery_attempts,
    }


def note_snapshot(note: Note) -> dict[str, Any]:
    return {
        "id": note.pk,
        "author": agent_snapshot(note.author),
        "body": note.body,
        "created_at": _iso(note.created_at),
    }


def snapshots_for(
    conversations: Iterable[Conversation], *, untagged: Collection[int] = ()
) -> dict[int, dict[str, Any]]:
    """Snapshots of several conversations with one query for all their tags. ``untagged``:
    ids known to have no tags (created in the caller's transaction), not looked up."""
    conversations = list(conversations)
    tags: dict[int, list[str]] = defaultdict(list)
    lookup = [c.pk for c in conversations if c.pk not in untagged]
    if lookup:
        through = Conversation.tags.through
        rows = through.objects.filter(conversation_id__in=lookup).values_list(
            "conversation_id", "tag__name"
        )
        for conversation_id, name in rows:
            tags[conversation_id].append(name)
    return {c.pk: conversation_snapshot(c, tags[c.pk]) for c in conversations}


def _allocate_seq(team_id: int, count: int) -> int:
    """Reserve ``count`` sequence numbers; returns the last. The row lock orders commits."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inbox_team SET event_seq = event_seq + %s WHERE id = %s RETURNING event_seq",
            [count, team_id],
        )
        return cursor.fetchone()[0]


def record(events: Sequence[PendingEvent]) -> list[InboxEvent]:
    """Append events to the log inside the caller's transaction and ring after commit."""
    if not events:
        return []
    assert connection.in_atomic_block, "events are recorded inside a service transaction"
    now = timezone.now()
    by_team: dict[int, list[PendingEvent]] = defaultdict(list)
    for event in events:
        by_team[event.log_team_id].append(event)
    rows: list[InboxEvent] = []
    for team_id in sorted(by_team):  # a fixed lock order: no deadlock between two services
        team_events = by_team[team_id]
        last = _allocate_seq(team_id, len(team_events))
        first = last - len(team_events) + 1
        rows.extend(
            InboxEvent(
                team_id=team_id,
                seq=first + offset,
                kind=event.kind,
                conversation_id=event.conversation.pk if event.conversation else None,
                actor=event.actor,
                payload={"kind": str(event.kind), **event.payload},
                created_at=now,
            )
            for offset, event in enumerate(team_events)
        )
    insert_rows(rows)
    transaction.on_commit(lambda: ring(rows))
    return rows


def event_message(event: InboxEvent) -> dict[str, Any]:
    """The wire form of one logged event, as clients receive it live or in replay."""
    return {
        "seq": event.seq,
        "team_id": event.team_id,
        "created_at": _iso(event.created_at),
        **event.payload,
    }


def wire_json(event: InboxEvent) -> str:
    """``event_message`` as the JSON text clients receive (compact, UTF-8 as it is)."""
    return json.dumps(event_message(event), separators=(",", ":"), ensure_ascii=False)


def ring(rows: Sequence[InboxEvent]) -> None:
    """Tell every web process that a team's log grew. At-most-once: clients fill gaps."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    by_team: dict[int, list[InboxEvent]] = defaultdict(list)
    for row in rows:
        by_team[row.team_id].append(row)
    for team_id, team_rows in by_team.items():
        message: dict[str, Any] = {
            "type": "inbox.events",
            "team_id": team_id,
            "first_seq": team_rows[0].seq,
            "last_seq": team_rows[-1].seq,
        }
        if len(team_rows) <= DOORBELL_INLINE_MAX:
            # Encoded here, once: each web process sends this text to its clients as it is.
            message["wire"] = [wire_json(row) for row in team_rows]
        try:
            async_to_sync(layer.group_send)(team_group(team_id), message)
        except Exception:  # the log is the truth; a lost doorbell is recovered by catch-up
            logger.warning("doorbell for team %s failed", team_id, exc_info=True)
    for row in rows:
        _notify_assignee(layer, row)


def _notify_assignee(layer: Any, row: InboxEvent) -> None:
    """Tell the agent whom someone else gave the conversation to ("assigned to you").
    A convenience, not replayed: the team stream carries the same event durably."""
    if row.kind != EventKind.CONVERSATION_ASSIGNED:
        return
    assignee = (row.payload.get("conversation") or {}).get("assignee")
    if not assignee or assignee["id"] == row.actor_id:
        return
    notice = {
        "type": "inbox.notice",
        "kind": "assigned_to_you",
        "body": {"team_id": row.team_id, "seq": row.seq, "by_agent_id": row.actor_id,
                 "conversation": row.payload["conversation"]},
    }  # fmt: skip
    try:
        async_to_sync(layer.group_send)(agent_group(assignee["id"]), notice)
    except Exception:
        logger.warning("notice to agent %s failed", assignee["id"], exc_info=True)
