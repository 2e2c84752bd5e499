"""Reads for a guest's live stream (issue #17): a colleague of another team, mentioned into one
conversation, follows that conversation's events in its team's log, and nothing else of it.

The position is the team's own sequence number, so the replay has the team streams' guarantee
(docs/realtime.md): the log is gap-free, so reading ``seq > after`` up to the head never skips
an event that commits later. Only the conversation's rows are read (its index), and the stream
ends at the ``conversation.grant_revoked`` event of the guest's grant: what the team does after
the withdrawal never reaches the guest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from inbox.events.kinds import EventKind
from inbox.events.replay import REPLAY_MAX_AGE, ResyncReason, WireEvent
from inbox.models import ConversationGrant, InboxEvent, Team

# A guest further behind than this in the one conversation reloads it instead.
GUEST_REPLAY_MAX_EVENTS = 2_000


@dataclass(frozen=True, slots=True)
class GuestGrant:
    conversation_id: int
    team_id: int
    grant_id: int


@dataclass(frozen=True, slots=True)
class GuestReplay:
    head: int  # the stream's position after this read (the team's head when it was read)
    events: list[WireEvent] = field(default_factory=list)  # the conversation's, ascending
    resync: ResyncReason | None = None
    ended: bool = False  # the grant was withdrawn (or its conversation deleted): stop here


def guest_grants(*, agent_id: int, conversation_ids: list[int]) -> dict[int, GuestGrant]:
    """The agent's grants among these conversations, by conversation."""
    rows = ConversationGrant.objects.filter(
        agent_id=agent_id, conversation_id__in=conversation_ids
    ).values_list("conversation_id", "conversation__team_id", "pk")
    return {c: GuestGrant(c, t, g) for c, t, g in rows}


_GUEST_SQL = """
    SELECT seq, kind, (payload #>> '{grant,id}')::bigint,
           (jsonb_build_object(
               'seq', seq,
               'team_id', team_id,
               'created_at', to_char(created_at AT TIME ZONE 'UTC',
                                     'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')
           ) || payload)::text
    FROM inbox_inboxevent
    WHERE conversation_id = %s AND team_id = %s AND seq > %s AND seq <= %s
    ORDER BY seq
    LIMIT %s
"""


def guest_events_since(*, grant: GuestGrant, after: int) -> GuestReplay:
    """The conversation's events with ``after < seq <= head``, up to the grant's withdrawal."""
    head = Team.objects.filter(pk=grant.team_id).values_list("event_seq", flat=True).first() or 0
    if after > head:
        return GuestReplay(head, resync=ResyncReason.AHEAD_OF_SERVER)
    if after == head:
        return GuestReplay(head, ended=not _holds(grant))
    first = InboxEvent.objects.filter(team_id=grant.team_id, seq=after + 1).values_list(
        "created_at", flat=True
    )
    if not first or first[0] < timezone.now() - REPLAY_MAX_AGE:  # pruned, or too old
        return GuestReplay(head, resync=ResyncReason.TOO_OLD)
    with connection.cursor() as cursor:
        cursor.execute(
            _GUEST_SQL,
            [grant.conversation_id, grant.team_id, after, head, GUEST_REPLAY_MAX_EVENTS + 1],
        )
        rows = cursor.fetchall()
    if len(rows) > GUEST_REPLAY_MAX_EVENTS:
        return GuestReplay(head, resync=ResyncReason.TOO_FAR_BEHIND)
    events = []
    for seq, kind, grant_id, text in rows:
        if kind == EventKind.GRANT_REVOKED and grant_id == grant.grant_id:
            return GuestReplay(seq, events, ended=True)
        events.append(WireEvent(seq, text))
    return GuestReplay(head, events, ended=not _holds(grant))


def _holds(grant: GuestGrant) -> bool:
    """Still granted: false once withdrawn, or once the conversation itself was deleted."""
    return ConversationGrant.objects.filter(pk=grant.grant_id).exists()
