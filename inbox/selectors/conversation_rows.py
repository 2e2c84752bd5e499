"""The conversation list's read model: what a row shows, read without model instances.

A page of 50 rows built as ``Conversation`` objects with their account, contact and assignee is
200 model instances; building them was the largest part of a list request's CPU time
(bench/conversations_list.py). These rows carry the same attribute names, so
``inbox.events.snapshots.conversation_snapshot`` and the row template read either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, QuerySet

from inbox.models import Conversation


@dataclass(slots=True)
class AccountRef:
    pk: int
    platform: str
    display_name: str


@dataclass(slots=True)
class ContactRef:
    pk: int
    name: str
    handle: str


@dataclass(slots=True)
class AgentRef:
    pk: int
    public_name: str
    initials: str


@dataclass(slots=True)
class ConversationRow:
    pk: int
    version: int
    status: str
    kind: str
    team_id: int
    waiting_since: datetime | None
    last_message_at: datetime
    opened_at: datetime
    resolved_at: datetime | None
    snippet: str
    account: AccountRef
    contact: ContactRef
    assignee: AgentRef | None
    tag_names: list[str]
    sla_clocks: list[Any] = field(default_factory=list)  # set by the inbox page for its flags


_COLUMNS = (
    "id", "version", "status", "kind", "team_id", "waiting_since", "last_message_at",
    "opened_at", "resolved_at", "snippet",
    "account_id", "account__platform", "account__display_name",
    "contact_id", "contact__name", "contact__handle",
    "assignee_id", "assignee__public_name", "assignee__initials",
)  # fmt: skip


def conversation_rows(conversations: QuerySet[Conversation]) -> list[ConversationRow]:
    """One query: the rows in the queryset's order, each with its tag names."""
    tag_names = ArraySubquery(
        Conversation.tags.through.objects.filter(conversation_id=OuterRef("pk")).values("tag__name")
    )
    rows = conversations.values_list(*_COLUMNS, tag_names)
    return [
        ConversationRow(
            *row[:10],
            account=AccountRef(*row[10:13]),
            contact=ContactRef(*row[13:16]),
            assignee=AgentRef(*row[16:19]) if row[16] is not None else None,
            tag_names=row[19],
        )
        for row in rows
    ]
