"""Snapshots: what events (and the REST responses built from the same dicts) say about an
agent, a conversation, a channel account, a message or a note. Credentials are never included.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from inbox.media.snapshots import attachment_snapshots, media_snapshots
from inbox.models import (
    Agent,
    ChannelAccount,
    Conversation,
    ConversationGrant,
    Direction,
    Message,
    ModerationAction,
    Note,
)
from inbox.stored_text import shown

if TYPE_CHECKING:
    from inbox.selectors.conversation_rows import ConversationRow


def iso(value: Any) -> str | None:
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
        "waiting_since": iso(conversation.waiting_since),
        "last_message_at": iso(conversation.last_message_at),
        "opened_at": iso(conversation.opened_at),
        "resolved_at": iso(conversation.resolved_at),
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
        "last_polled_at": iso(account.last_polled_at),
        "next_poll_at": iso(account.next_poll_at),
        "lag_seconds": account.lag_seconds,
        "last_error": account.last_error_shown,
        "last_error_at": iso(account.last_error_at),
        "consecutive_failures": account.consecutive_failures,
        "rate_limit_remaining": account.rate_limit_remaining,
        "rate_limit_reset_at": iso(account.rate_limit_reset_at),
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
    media: Any  # its Media rows (a list, or the model's related manager)


def message_snapshot(message: Message | MessageLike) -> dict[str, Any]:
    return {
        "id": message.pk,
        "direction": message.direction,
        "external_id": message.external_id,
        "text": message.text,
        "author_contact_id": message.author_contact_id,
        "author_agent": agent_snapshot(message.author_agent) if message.author_agent_id else None,
        "platform_time": iso(message.platform_time),
        "delivery_state": message.delivery_state,
        "delivery_error": shown(message.delivery_error),
        "delivery_attempts": message.delivery_attempts,
        "media": media_snapshots(_media_of(message)),
        "attachments": attachment_snapshots(_attachments_of(message)),
    }


def _attachments_of(message: Message | MessageLike) -> Iterable[Any]:
    """The files an agent's reply carries (#13): read from the prefetch when the caller made
    one; an incoming message (or ingest's record) has none, and costs no query."""
    if message.direction != Direction.OUTBOUND or not isinstance(message, Message):
        return ()
    return message.reply_attachments.all()


def _media_of(message: Message | MessageLike) -> Iterable[Any]:
    """A message's Media rows: ingest's record carries them, a ``Message`` reads them (from the
    prefetch when the caller made one)."""
    media = getattr(message, "media", ())
    return media.all() if hasattr(media, "all") else media


def note_snapshot(note: Note) -> dict[str, Any]:
    return {
        "id": note.pk,
        "author": agent_snapshot(note.author),
        "body": note.body,
        "created_at": iso(note.created_at),
    }


def grant_snapshot(grant: ConversationGrant) -> dict[str, Any]:
    """A colleague of another team reading the conversation through a mention."""
    return {
        "agent": agent_snapshot(grant.agent),
        "granted_by": agent_snapshot(grant.granted_by),
        "created_at": iso(grant.created_at),
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


def snapshot_of(conversation: Conversation) -> dict[str, Any]:
    """One conversation's snapshot, its tags read now (after the caller's changes)."""
    return snapshots_for([conversation])[conversation.pk]


def moderation_snapshot(action: ModerationAction | None) -> dict[str, Any] | None:
    """One hide/unhide/delete of a public comment: who or which rule asked, and how it went."""
    if action is None:
        return None
    return {
        "id": action.pk,
        "message_id": action.message_id,
        "kind": action.kind,
        "state": action.state,
        "reason": action.reason,
        "requested_by": agent_snapshot(action.requested_by) if action.requested_by_id else None,
        "platform_error": action.platform_error,
        "created_at": iso(action.created_at),
        "finished_at": iso(action.finished_at),
    }
