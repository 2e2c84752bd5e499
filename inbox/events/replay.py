"""Reads for the live inbox: which streams a user may follow, and replay from the event log.

The log is gap-free per team: a sequence number is taken under the team row's lock inside the
writing transaction, so when seq ``n`` is committed every seq below it is committed too
(docs/architecture.md §5). Reading ``seq > after`` therefore never skips an event that commits
later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inbox.events.snapshots import agent_snapshot
from inbox.exceptions import PermissionDenied
from inbox.models import Team
from inbox.permissions.access import agent_of, visible_team_ids

# Retention of replay: a client further behind than this reloads over REST instead.
REPLAY_MAX_EVENTS = 2_000
REPLAY_MAX_AGE = timedelta(hours=24)


class ResyncReason(StrEnum):
    AHEAD_OF_SERVER = "ahead_of_server"  # the client claims a seq the log has not reached
    TOO_FAR_BEHIND = "too_far_behind"  # more than REPLAY_MAX_EVENTS missed
    TOO_OLD = "too_old"  # the first missed event is older than REPLAY_MAX_AGE (or pruned)


@dataclass(frozen=True, slots=True)
class Subscription:
    """What one connection streams: its teams' logs and the agent's own notices."""

    agent_id: int
    agent: dict[str, Any]
    team_ids: frozenset[int]
    language: str = ""  # the agent's profile language; error frames are written in it


def subscription_for(user: AbstractBaseUser) -> Subscription:
    if not user.has_perm("inbox.view_conversation"):
        raise PermissionDenied(_("Your role does not allow reading conversations."))
    agent = agent_of(user)
    team_ids = visible_team_ids(user)
    if team_ids is None:  # inbox.view_all_teams: every team, each its own stream
        team_ids = list(Team.objects.values_list("id", flat=True))
    return Subscription(
        agent_id=agent.pk,
        agent=agent_snapshot(agent),
        team_ids=frozenset(team_ids),
        language=agent.language,
    )


def team_heads(team_ids: list[int]) -> dict[int, int]:
    """The last committed sequence number of each team."""
    return dict(Team.objects.filter(id__in=team_ids).values_list("id", "event_seq"))


@dataclass(frozen=True, slots=True)
class WireEvent:
    """One logged event, already serialised: ``event_message``'s fields as JSON text."""

    seq: int
    json: str


@dataclass(frozen=True, slots=True)
class Replay:
    team_id: int
    head: int  # the client's cursor after this replay (after a resync: reload, then go on here)
    events: list[WireEvent] = field(default_factory=list)  # ascending seq, gap-free
    resync: ResyncReason | None = None


# PostgreSQL renders the wire form (``inbox.events.wire.event_message``) itself: a replay of
# thousands of events then costs no JSON decoding and re-encoding in Python.
_REPLAY_SQL = """
    SELECT seq, created_at,
           (jsonb_build_object(
               'seq', seq,
               'team_id', team_id,
               'created_at', to_char(created_at AT TIME ZONE 'UTC',
                                     'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')
           ) || payload)::text
    FROM inbox_inboxevent
    WHERE team_id = %s AND seq > %s AND seq <= %s
    ORDER BY seq
"""


def events_since(*, team_id: int, after: int, max_events: int | None = None) -> Replay:
    """Every committed event of the team with ``seq > after``, or a resync verdict."""
    head = Team.objects.filter(pk=team_id).values_list("event_seq", flat=True).first() or 0
    if after > head:
        return Replay(team_id, head, resync=ResyncReason.AHEAD_OF_SERVER)
    if after == head:
        return Replay(team_id, head)
    if head - after > (max_events or REPLAY_MAX_EVENTS):
        return Replay(team_id, head, resync=ResyncReason.TOO_FAR_BEHIND)
    with connection.cursor() as cursor:
        cursor.execute(_REPLAY_SQL, [team_id, after, head])
        rows = cursor.fetchall()
    if (
        not rows
        or rows[0][0] != after + 1  # pruned from the log
        or rows[0][1] < timezone.now() - REPLAY_MAX_AGE
    ):
        return Replay(team_id, head, resync=ResyncReason.TOO_OLD)
    return Replay(team_id, head, events=[WireEvent(seq, text) for seq, _, text in rows])
