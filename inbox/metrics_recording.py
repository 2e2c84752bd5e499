"""Keeps ``ResponseInterval`` rows current, inside the transactions of the services that own
the writes (ingest, reply_create, conversation_set_status). The rules are in
``inbox.metrics_ledger``; this module loads a conversation's current state and saves changes.

A reply counts when the agent sends it from Svar (the reply is created), not when the platform
confirms delivery: the agent's response time should not include the platform's or the worker's
delay. A reply sent from the platform's own app reaches Svar by ingest and ends the wait
uncredited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

from django.db.models import Max, OuterRef, Q, Subquery

from inbox.business_hours import ALWAYS_OPEN, Schedule, business_seconds, parse_schedule
from inbox.metrics_ledger import ConversationLedger, Interval
from inbox.models import (
    BusinessSchedule,
    Conversation,
    Direction,
    IntervalKind,
    Message,
    ResponseInterval,
)


def team_schedules(team_ids: Iterable[int]) -> dict[int, Schedule]:
    """Each team's schedule; a team without one is open around the clock."""
    ids = set(team_ids)
    found = {
        row.team_id: parse_schedule(
            time_zone=row.time_zone, weekly=row.weekly, holidays=row.holidays
        )
        for row in BusinessSchedule.objects.filter(team_id__in=ids)
    }
    return {team_id: found.get(team_id, ALWAYS_OPEN) for team_id in ids}


def load_ledgers(conversation_ids: Sequence[int]) -> dict[int, ConversationLedger]:
    """The current opening of each conversation: what the next step can change."""
    latest = (
        ResponseInterval.objects.filter(conversation_id=OuterRef("conversation_id"))
        .values("conversation_id")
        .annotate(m=Max("opening"))
        .values("m")
    )
    rows = (
        ResponseInterval.objects.filter(conversation_id__in=conversation_ids)
        .filter(opening=Subquery(latest))
        .filter(Q(ended_at__isnull=True) | ~Q(kind=IntervalKind.REPLY))
        .order_by("started_at", "id")
    )
    ledgers = {cid: ConversationLedger() for cid in conversation_ids}
    for row in rows:
        ledger = ledgers[row.conversation_id]
        ledger.opening = row.opening
        ledger.intervals.append(
            Interval(
                kind=row.kind,
                opening=row.opening,
                started_at=row.started_at,
                ended_at=row.ended_at,
                ended_by=row.ended_by,
                agent_id=row.agent_id,
                pk=row.pk,
                changed=False,
            )
        )
    for ledger in ledgers.values():
        kinds = {i.kind for i in ledger.intervals}
        ledger.first_response_seen = IntervalKind.FIRST_RESPONSE in kinds
        ledger.resolved = any(
            i.kind == IntervalKind.RESOLUTION and not i.is_open for i in ledger.intervals
        )
    return ledgers


def interval_row(
    conversation: Conversation, interval: Interval, schedule: Schedule
) -> ResponseInterval:
    ended = interval.ended_at
    return ResponseInterval(
        pk=interval.pk,
        conversation_id=conversation.pk,
        team_id=conversation.team_id,
        account_id=conversation.account_id,
        platform=conversation.account.platform,
        kind=interval.kind,
        opening=interval.opening,
        started_at=interval.started_at,
        ended_at=ended,
        ended_by=interval.ended_by,
        agent_id=interval.agent_id,
        calendar_seconds=interval.calendar_seconds,
        business_seconds=(
            None if ended is None else business_seconds(schedule, interval.started_at, ended)
        ),
    )


def save_ledgers(
    conversations: Mapping[int, Conversation], ledgers: Mapping[int, ConversationLedger]
) -> None:
    schedules = team_schedules(c.team_id for c in conversations.values())
    new: list[ResponseInterval] = []
    closed: list[ResponseInterval] = []
    for cid, ledger in ledgers.items():
        conversation = conversations[cid]
        for interval in ledger.intervals:
            if not interval.changed:
                continue
            row = interval_row(conversation, interval, schedules[conversation.team_id])
            (closed if interval.pk is not None else new).append(row)
            interval.changed = False
    ResponseInterval.objects.bulk_create(new)
    ResponseInterval.objects.bulk_update(
        closed, ["ended_at", "ended_by", "agent_id", "calendar_seconds", "business_seconds"]
    )


def _record(
    conversations: Sequence[Conversation], step: Callable[[int, ConversationLedger], None]
) -> None:
    by_id = {c.pk: c for c in conversations}
    ledgers = load_ledgers(list(by_id))
    for cid, ledger in ledgers.items():
        step(cid, ledger)
    save_ledgers(by_id, ledgers)


def record_ingested(conversations: Iterable[Conversation], stored: Sequence[Message]) -> None:
    """New platform messages (already in time order): customer messages and native replies."""
    by_conversation: dict[int, list[Message]] = {}
    for message in stored:
        by_conversation.setdefault(message.conversation_id, []).append(message)
    touched = [c for c in conversations if c.pk in by_conversation]

    def step(cid: int, ledger: ConversationLedger) -> None:
        for message in by_conversation[cid]:
            if message.direction == Direction.INBOUND:
                ledger.customer_message(message.platform_time)
            else:
                ledger.account_message(message.platform_time, message.author_agent_id)

    _record(touched, step)


def record_reply(conversation: Conversation, *, at: datetime, agent_id: int) -> None:
    _record([conversation], lambda _, ledger: ledger.account_message(at, agent_id))


def record_resolved(conversation: Conversation, *, at: datetime, agent_id: int | None) -> None:
    _record([conversation], lambda _, ledger: ledger.resolved_by(at, agent_id))


def record_reopened(conversation: Conversation, *, at: datetime) -> None:
    _record([conversation], lambda _, ledger: ledger.reopened(at))
