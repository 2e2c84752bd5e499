"""Every write to the inbox. Each top-level service is one durable transaction that appends
its events to the log; nothing else writes domain rows or publishes events."""

from inbox.services.conversations import (
    conversation_assign,
    conversation_claim,
    conversation_set_status,
    conversation_tag,
    conversation_unassign,
)
from inbox.services.ingest import IngestResult, messages_ingest
from inbox.services.notes import note_create
from inbox.services.replies import reply_create, reply_preview

__all__ = [
    "IngestResult",
    "conversation_assign",
    "conversation_claim",
    "conversation_set_status",
    "conversation_tag",
    "conversation_unassign",
    "messages_ingest",
    "note_create",
    "reply_create",
    "reply_preview",
]
