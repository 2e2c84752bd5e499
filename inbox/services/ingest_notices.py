"""Ingest's notifications (issue #17): a customer wrote again in a conversation someone owns.

Called by ``messages_ingest_locked`` for the whole batch: one notice per conversation that has
an assignee and got a customer message, stored by one ``notify`` (three statements, whatever
the batch's size). A conversation created by this batch has no owner yet, so it tells nobody.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from inbox.models import Conversation, Direction, NotificationKind
from inbox.services.notifications import Notice, notify


def notify_customer_wrote(
    conversations: Iterable[Conversation], stored: Iterable[Any], *, new: Collection[int]
) -> None:
    wrote = {m.conversation_id for m in stored if m.direction == Direction.INBOUND}
    notify(
        Notice(c.assignee_id, NotificationKind.CUSTOMER_WROTE_AGAIN, c.pk)
        for c in conversations
        if c.assignee_id is not None and c.pk in wrote and c.pk not in new
    )
