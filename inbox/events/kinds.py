"""The event kinds and one keyword-only constructor per kind: each kind's payload is shaped here
and nowhere else. docs/realtime.md lists the same fields; the payload's key order is the wire's.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from inbox.events.snapshots import (
    MessageLike,
    account_snapshot,
    agent_snapshot,
    message_snapshot,
    moderation_snapshot,
    note_snapshot,
    snapshot_of,
    snapshots_for,
)
from inbox.media.snapshots import media_snapshot
from inbox.models import (
    Agent,
    ChannelAccount,
    Conversation,
    Media,
    Message,
    ModerationAction,
    Note,
    PrivateReply,
    ReplyApproval,
)


class EventKind(StrEnum):
    MESSAGES_RECEIVED = "messages.received"
    REPLY_CREATED = "reply.created"
    REPLY_DELIVERY = "reply.delivery_changed"
    ACCOUNT_HEALTH = "account.health_changed"
    CONVERSATION_ASSIGNED = "conversation.assigned"
    CONVERSATION_STATUS = "conversation.status_changed"
    CONVERSATION_TAGGED = "conversation.tagged"
    NOTE_CREATED = "note.created"
    REPLY_APPROVAL = "reply.approval_changed"  # four-eyes (issue #16)
    MESSAGE_MODERATION = "message.moderation_changed"
    PRIVATE_REPLY = "message.private_reply_changed"
    GRANT_REVOKED = "conversation.grant_revoked"  # a mentioned colleague's access ended (#17)
    MESSAGE_MEDIA = "message.media_changed"  # a file fetched, or found gone (issue #13)


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


def _about(
    kind: EventKind, conversation: Conversation, actor: Agent | None, **details: Any
) -> PendingEvent:
    """An event about one conversation: its snapshot as it stands now, then the details."""
    return PendingEvent(
        kind, conversation, {"conversation": snapshot_of(conversation), **details}, actor
    )


def messages_received_events(
    *,
    conversations: Iterable[Conversation],
    messages: Mapping[int, Sequence[MessageLike]],
    created: Collection[int],
    tagged: Collection[int] = (),
) -> list[PendingEvent]:
    """One event per conversation that received ``messages[conversation.pk]``; ``created``:
    the ids of conversations created by this ingest (no tags yet, so not looked up, unless
    ``tagged``: the automation rules tagged them)."""
    touched = [c for c in conversations if c.pk in messages]
    snapshots = snapshots_for(touched, untagged=set(created).difference(tagged))
    return [
        PendingEvent(
            EventKind.MESSAGES_RECEIVED,
            c,
            {
                "conversation": snapshots[c.pk],
                "created": c.pk in created,
                "messages": [message_snapshot(m) for m in messages[c.pk]],
            },
        )
        for c in touched
    ]


def reply_created_event(
    *, conversation: Conversation, message: Message, actor: Agent
) -> PendingEvent:
    return _about(EventKind.REPLY_CREATED, conversation, actor, message=message_snapshot(message))


def approval_snapshot(approval: ReplyApproval) -> dict[str, Any]:
    return {
        "state": approval.state,
        "revision": approval.revision,
        "reasons": approval.reasons,
        "author_id": approval.author_id,
        "requested_at": approval.requested_at.isoformat(),
        "decided_at": approval.decided_at.isoformat() if approval.decided_at else None,
        "decided_by": agent_snapshot(approval.decided_by) if approval.decided_by_id else None,
        "note": approval.note,
        "edited": bool(approval.original_body),
    }


def reply_approval_changed_event(
    *, message: Message, approval: ReplyApproval, actor: Agent | None
) -> PendingEvent:
    """A reply started waiting for approval, was revised, approved or sent back: approvers see
    the queue change, the author sees the state (message.delivery_state follows)."""
    return _about(
        EventKind.REPLY_APPROVAL,
        message.conversation,
        actor,
        message=message_snapshot(message),
        approval=approval_snapshot(approval),
    )


def reply_delivery_changed_event(*, message: Message) -> PendingEvent:
    """A reply's delivery state moved (the delivery worker, or an agent's retry)."""
    return _about(
        EventKind.REPLY_DELIVERY, message.conversation, None, message=message_snapshot(message)
    )


def account_health_changed_event(*, account: ChannelAccount) -> PendingEvent:
    """About no single conversation: logged in the account's team."""
    return PendingEvent(
        EventKind.ACCOUNT_HEALTH,
        None,
        {"account": account_snapshot(account)},
        team_id=account.team_id,
    )


def conversation_assigned_event(
    *, conversation: Conversation, actor: Agent | None, previous_assignee: Agent | None
) -> PendingEvent:
    return _about(
        EventKind.CONVERSATION_ASSIGNED,
        conversation,
        actor,
        previous_assignee=agent_snapshot(previous_assignee),
    )


def conversation_status_changed_event(
    *, conversation: Conversation, actor: Agent | None, previous_status: str
) -> PendingEvent:
    return _about(
        EventKind.CONVERSATION_STATUS, conversation, actor, previous_status=previous_status
    )


def conversation_tagged_event(
    *, conversation: Conversation, actor: Agent, added: Iterable[str], removed: Iterable[str]
) -> PendingEvent:
    return _about(
        EventKind.CONVERSATION_TAGGED,
        conversation,
        actor,
        added=sorted(added),
        removed=sorted(removed),
    )


def note_created_event(*, conversation: Conversation, note: Note, actor: Agent) -> PendingEvent:
    return _about(EventKind.NOTE_CREATED, conversation, actor, note=note_snapshot(note))


def message_moderation_changed_event(
    *, action: ModerationAction, actor: Agent | None
) -> PendingEvent:
    """A public comment's moderation was asked for, or moved (the worker): hidden, unhidden,
    deleted or failed. ``actor`` is None for the worker and for automatic rules."""
    return _about(
        EventKind.MESSAGE_MODERATION,
        action.message.conversation,
        actor,
        moderation=moderation_snapshot(action),
    )


def private_reply_changed_event(*, reply: PrivateReply, actor: Agent | None) -> PendingEvent:
    """A private reply to a public comment was written, or its delivery moved."""
    return _about(
        EventKind.PRIVATE_REPLY,
        reply.message.conversation,
        actor,
        private_reply={
            "id": reply.pk,
            "message_id": reply.message_id,
            "author": agent_snapshot(reply.author),
            "text": reply.text,
            "state": reply.state,
            "error": reply.error,
        },
    )


def grant_revoked_event(
    *, conversation: Conversation, grant_id: int, agent: Agent, actor: Agent
) -> PendingEvent:
    """A colleague of another team no longer reads the conversation: the team's panes drop
    them from the grants, and that colleague's guest stream ends here (web/ws/guest_stream.py)."""
    return _about(
        EventKind.GRANT_REVOKED,
        conversation,
        actor,
        grant={"id": grant_id, "agent": agent_snapshot(agent)},
    )


def message_media_changed_event(*, media: Media) -> PendingEvent:
    """A message's media moved on (the fetch job): stored, with its URLs, or unavailable, with
    the reason. The conversation itself did not change: its version stays."""
    return _about(
        EventKind.MESSAGE_MEDIA,
        media.message.conversation,
        None,
        media=media_snapshot(media),
    )
