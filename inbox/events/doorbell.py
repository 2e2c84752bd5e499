"""The doorbell: after commit, tell every web process that a team's log grew, and tell an agent
that someone gave them a conversation. The log is the truth (docs/architecture.md §5); a lost
doorbell is recovered by the clients' catch-up reads.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from asgiref.sync import async_to_sync

from inbox.events.kinds import EventKind
from inbox.events.wire import wire_json
from inbox.models import InboxEvent

logger = logging.getLogger(__name__)

# A doorbell carries the events themselves when there are few; otherwise clients read the log.
DOORBELL_INLINE_MAX = 20


def team_group(team_id: int) -> str:
    return f"team.{team_id}"


def agent_group(agent_id: int) -> str:
    """One agent's connections, for what concerns that agent alone (never a global group)."""
    return f"agent.{agent_id}"


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
