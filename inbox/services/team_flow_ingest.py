"""What ingest does for the team flow (issue #17), in bulk, once per batch: wake snoozed
conversations the customer wrote in, run the teams' automation rules, and, once committed,
queue the automatic assignment of teams that use it when the batch left an open conversation
unassigned."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from django.db import transaction

from inbox.models import Conversation, ConversationStatus
from inbox.services.auto_assign import auto_assign_enabled_teams, auto_assign_enqueue
from inbox.services.automation_ingest import automation_apply_ingested
from inbox.services.snooze import snooze_wake_on_customer


def team_flow_ingested(
    conversations: Collection[Conversation],
    by_conversation: Mapping[int, Sequence[Any]],
    created: Collection[int],
) -> set[int]:
    """The caller (ingest) holds the conversations' locks and has written their new state;
    ``created``: the ids of the conversations this ingest created. Returns the ids of those
    the automation rules tagged."""
    snooze_wake_on_customer(conversations, by_conversation)
    tagged = automation_apply_ingested(conversations, by_conversation, created)
    waiting = {
        c.team_id
        for c in conversations
        if c.assignee_id is None and c.status == ConversationStatus.OPEN
    }
    if waiting and (teams := auto_assign_enabled_teams(sorted(waiting))):
        transaction.on_commit(lambda: auto_assign_enqueue(teams))
    return tagged
