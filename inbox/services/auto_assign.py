"""Automatic assignment per team (issue #17): unassigned open conversations go to online agents
of the team, within its business hours, round robin or least loaded, never over an agent's
capacity; an agent unseen for the team's release time has their open conversations returned
to the pool.

Safe under concurrency: every pass, from any worker or web process, first takes one
transaction-level advisory lock (lock 1 of docs/architecture.md §3.5), so passes run one at a
time and count loads that no other pass changes meanwhile; an agent of two teams is counted
once. Then the conversations are locked (lock 5, ``FOR NO KEY UPDATE SKIP LOCKED``, and only
while still unassigned: a row a person assigns meanwhile is skipped or re-read as assigned, so
it never gets two owners), and the events are announced last (lock 8).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import django_rq
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from inbox.events.kinds import conversation_assigned_event
from inbox.events.log import announce
from inbox.metrics.business_hours import open_intervals
from inbox.metrics.recording import team_schedules
from inbox.models import (
    Agent,
    AssignmentStrategy,
    Conversation,
    ConversationStatus,
    TeamAssignment,
)
from inbox.services._common import touch
from inbox.services.presence import online_since

_LOCK = 5 << 48  # advisory-lock namespace (connectors.jobs 1, 2; metrics 3)
LOADED = (ConversationStatus.OPEN, ConversationStatus.PENDING)  # what counts toward capacity
BATCH = 500


@dataclass(frozen=True, slots=True)
class AssignmentPass:
    assigned: int
    released: int


def team_is_open(team_id: int, at: datetime) -> bool:
    schedule = team_schedules([team_id])[team_id]
    if schedule.always_open:
        return True
    return any(a <= at < b for a, b in open_intervals(schedule, at, at + timedelta(seconds=1)))


def auto_assign_enqueue(team_ids: Sequence[int]) -> None:
    """Queue a pass per team (one queued job per team at a time: the id collapses repeats)."""
    queue = django_rq.get_queue("default")
    for team_id in sorted(set(team_ids)):
        queue.enqueue(
            "inbox.services.auto_assign.auto_assign_team", team_id, job_id=f"auto-assign-{team_id}"
        )


def auto_assign_enabled_teams(team_ids: Sequence[int]) -> list[int]:
    return list(
        TeamAssignment.objects.filter(team_id__in=set(team_ids), enabled=True).values_list(
            "team_id", flat=True
        )
    )


def auto_assign_sweep(*, now: datetime | None = None) -> int:
    """A pass for every team that uses automatic assignment (each worker's maintenance pass:
    agents came online, others went offline); returns how many conversations moved."""
    moved = 0
    for team_id in TeamAssignment.objects.filter(enabled=True).values_list("team_id", flat=True):
        result = auto_assign_team(team_id, now=now)
        moved += result.assigned + result.released
    return moved


@transaction.atomic(durable=True)
def auto_assign_team(team_id: int, *, now: datetime | None = None) -> AssignmentPass:
    """One pass of the team's automatic assignment: release the conversations of agents gone
    offline, then hand out the unassigned ones."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
    settings = TeamAssignment.objects.filter(team_id=team_id, enabled=True).first()
    if settings is None:
        return AssignmentPass(0, 0)
    released = _release_offline(settings, now)
    if not team_is_open(team_id, now):
        _announce(released)
        return AssignmentPass(0, len(released))
    agents = _online_agents(team_id, now)
    loads = _loads([a.pk for a in agents])
    free = sum(max(0, settings.capacity - loads[a.pk]) for a in agents)
    assigned: list[Conversation] = []
    if free:
        for conversation in _unassigned(team_id, min(free, BATCH)):
            agent = _pick(settings, agents, loads)
            if agent is None:
                break
            conversation.assignee = agent
            touch(conversation, "assignee")
            loads[agent.pk] += 1
            settings.last_agent_id = agent.pk
            assigned.append(conversation)
        settings.save(update_fields=["last_agent_id"])
    _announce(released + assigned)
    return AssignmentPass(len(assigned), len(released))


def _online_agents(team_id: int, now: datetime) -> list[Agent]:
    return list(
        Agent.objects.filter(
            teams=team_id,
            user__is_active=True,
            presence__last_seen_at__gte=online_since(now),
        ).order_by("pk")
    )


def _loads(agent_ids: list[int]) -> Counter[int]:
    """Open and pending conversations each agent owns, in every team."""
    rows = (
        Conversation.objects.filter(assignee_id__in=agent_ids, status__in=LOADED)
        .values("assignee_id")
        .annotate(n=Count("id"))
    )
    return Counter({row["assignee_id"]: row["n"] for row in rows})


def _unassigned(team_id: int, limit: int) -> list[Conversation]:
    """Unassigned open conversations, longest wait first, locked; rows another transaction
    holds are skipped (the next pass takes them)."""
    return list(
        Conversation.objects.select_for_update(of=("self",), no_key=True, skip_locked=True)
        .defer("search_vector")
        .filter(team_id=team_id, status=ConversationStatus.OPEN, assignee__isnull=True)
        .order_by("waiting_since", "pk")[:limit]
    )


def _pick(settings: TeamAssignment, agents: list[Agent], loads: Counter[int]) -> Agent | None:
    free = [a for a in agents if loads[a.pk] < settings.capacity]
    if not free:
        return None
    if settings.strategy == AssignmentStrategy.LEAST_LOADED:
        return min(free, key=lambda a: (loads[a.pk], a.pk))
    after = [a for a in free if settings.last_agent_id is None or a.pk > settings.last_agent_id]
    return (after or free)[0]


def _release_offline(settings: TeamAssignment, now: datetime) -> list[Conversation]:
    """Return to the pool the open conversations of agents seen before but not for the
    team's release time (an agent never seen online keeps what a person gave them)."""
    gone = now - timedelta(minutes=settings.offline_release_minutes)
    conversations = list(
        Conversation.objects.select_for_update(of=("self",), no_key=True, skip_locked=True)
        .defer("search_vector")
        .filter(
            Q(team_id=settings.team_id, status=ConversationStatus.OPEN)
            & Q(assignee__presence__last_seen_at__lt=gone)
        )
        .order_by("pk")[:BATCH]
    )
    for conversation in conversations:
        conversation.released_from = conversation.assignee  # read after the lock
        conversation.assignee = None
        touch(conversation, "assignee")
    return conversations


def _announce(conversations: list[Conversation]) -> None:
    announce(
        *(
            conversation_assigned_event(
                conversation=c,
                actor=None,
                previous_assignee=getattr(c, "released_from", None),
            )
            for c in conversations
        )
    )
