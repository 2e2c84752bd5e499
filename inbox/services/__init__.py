"""Every write to the inbox. Each top-level service is one durable transaction that announces
its events (``inbox.events.log.announce``, with the constructors of ``inbox.events.kinds``);
nothing else writes domain rows or publishes events. Reads live in ``inbox.selectors``.

Locks, by name:

- ``<service>_locked(...)``: the body of ``<service>``, for a caller already inside a
  transaction that holds the row lock of what it passes in (e.g. ``conversation_assign_locked``
  within a handover). It takes no lock and opens no transaction of its own.
- ``lock_<entity>(id)`` (``inbox.services.locks``): takes the row lock (``SELECT … FOR NO
  KEY UPDATE``) in the caller's transaction and returns the row, or raises NotFound. Locks are
  taken in one order (docs/architecture.md §3.5): advisory lock, channel account, contacts,
  conversations, the message, and the team's event sequence last.
- Any other function that needs a lock takes it itself and releases it before it returns; its
  name says nothing of locks (e.g. ``connectors.jobs._poll_once`` and its advisory lock).
"""

from inbox.services.conversations import (
    conversation_assign,
    conversation_claim,
    conversation_set_status,
    conversation_tag,
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
    "messages_ingest",
    "note_create",
    "reply_create",
    "reply_preview",
]
