"""Keeps ``ResponseInterval`` rows current, inside the transactions of the services that own
the writes (ingest, reply_create, conversation_set_status). The rules are in
``inbox.metrics.ledger``; this module loads a conversation's current state and saves changes.

A reply counts when the agent sends it from Svar (the reply is created), not when the platform
confirms delivery: the agent's response time should not include the platform's or the worker's
delay. A reply sent from the platform's own app reaches Svar by ingest and ends the wait
uncredited.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from enum import Enum
from typing import Any, Protocol

from django.db.models import Max, OuterRef, Q, Subquery

from inbox.db.bulk import insert_columns, update_columns
from inbox.metrics.business_hours import ALWAYS_OPEN, Schedule, business_seconds, parse_schedule
from inbox.metrics.ledger import ConversationLedger, Interval
from inbox.models import (
    BusinessSchedule,
    Conversation,
    Direction,
    IntervalKind,
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


def load_ledgers(
    conversation_ids: Sequence[int], *, new: Collection[int] = ()
) -> dict[int, ConversationLedger]:
    """The current opening of each conversation: what the next step can change. ``new`` are
    conversations created in the caller's transaction: they have no intervals yet, so their
    ledgers start empty without a query."""
    ledgers = {cid: ConversationLedger() for cid in conversation_ids}
    to_load = [cid for cid in conversation_ids if cid not in new]
    if not to_load:
        return ledgers
    latest = (
        ResponseInterval.objects.filter(conversation_id=OuterRef("conversation_id"))
        .values("conversation_id")
        .annotate(m=Max("opening"))
        .values("m")
    )
    rows = (
        ResponseInterval.objects.filter(conversation_id__in=to_load)
        .filter(opening=Subquery(latest))
        .filter(Q(ended_at__isnull=True) | ~Q(kind=IntervalKind.REPLY))
        .order_by("started_at", "id")
        .values_list(
            "conversation_id", "kind", "opening", "started_at", "ended_at", "ended_by",
            "agent_id", "pk",
        )
    )  # fmt: skip
    for cid, kind, opening, started_at, ended_at, ended_by, agent_id, pk in rows:
        ledger = ledgers[cid]
        ledger.opening = opening
        ledger.intervals.append(
            Interval(
                kind=kind,
                opening=opening,
                started_at=started_at,
                ended_at=ended_at,
                ended_by=ended_by,
                agent_id=agent_id,
                pk=pk,
                changed=False,
            )
        )
    for cid in to_load:
        ledger = ledgers[cid]
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


# The columns a closed interval changes.
_CLOSING = ("ended_at", "ended_by", "agent", "calendar_seconds", "business_seconds")


def save_ledgers(
    conversations: Mapping[int, Conversation],
    ledgers: Mapping[int, ConversationLedger],
    *,
    schedules: Mapping[int, Schedule] | None = None,
) -> None:
    """Write the intervals that changed: new ones in one INSERT and closed ones in one UPDATE,
    both from column arrays (an ingest writes a few per message; model instances and
    ``bulk_create``/``bulk_update`` cost more Python time than the statements themselves)."""
    if schedules is None:
        schedules = team_schedules(c.team_id for c in conversations.values())
    new: dict[str, list[Any]] = {name: [] for name in _NEW}
    closed_pks: list[int] = []
    closed: dict[str, list[Any]] = {name: [] for name in _CLOSING}
    for cid, ledger in ledgers.items():
        conversation = conversations[cid]
        schedule = schedules[conversation.team_id]
        for interval in ledger.intervals:
            if not interval.changed:
                continue
            ended = interval.ended_at
            business = None if ended is None else business_seconds(
                schedule, interval.started_at, ended
            )  # fmt: skip
            # What closing sets; a new interval has its identity besides.
            values: dict[str, Any] = {
                "ended_at": ended, "ended_by": _plain(interval.ended_by),
                "agent": interval.agent_id, "calendar_seconds": interval.calendar_seconds,
                "business_seconds": business,
            }  # fmt: skip
            if interval.pk is None:
                values |= {
                    "conversation": cid, "team": conversation.team_id,
                    "account": conversation.account_id,
                    "platform": conversation.account.platform, "kind": _plain(interval.kind),
                    "opening": interval.opening, "started_at": interval.started_at,
                }  # fmt: skip
                columns = new
            else:
                closed_pks.append(interval.pk)
                columns = closed
            for name, value in values.items():
                columns[name].append(value)
            interval.changed = False
    if new["conversation"]:
        ids = insert_columns(ResponseInterval, new)
        _set_pks(ledgers, ids)
    update_columns(ResponseInterval, closed_pks, closed)


_NEW = (
    "conversation", "team", "account", "platform", "kind", "opening", "started_at", "ended_at",
    "ended_by", "agent", "calendar_seconds", "business_seconds",
)  # fmt: skip


def _plain(value: str) -> str:
    """A choice as its stored string: psycopg would send an Enum member's name."""
    return value.value if isinstance(value, Enum) else value


def _set_pks(ledgers: Mapping[int, ConversationLedger], ids: Sequence[tuple[Any, ...]]) -> None:
    """Give the intervals just inserted their ids (RETURNING keeps the rows' order), as
    ``bulk_create`` did, so a later step in the same transaction updates them."""
    it = iter(ids)
    for ledger in ledgers.values():
        for interval in ledger.intervals:
            if interval.pk is None:
                interval.pk = next(it)[0]


def _record(
    conversations: Sequence[Conversation],
    step: Callable[[int, ConversationLedger], None],
    *,
    new: Collection[int] = (),
) -> None:
    by_id = {c.pk: c for c in conversations}
    ledgers = load_ledgers(list(by_id), new=new)
    for cid, ledger in ledgers.items():
        step(cid, ledger)
    save_ledgers(by_id, ledgers)


class IngestedMessage(Protocol):
    """What the ledger reads of a stored message (a ``Message``, or ingest's lighter record)."""

    conversation_id: int
    direction: str
    platform_time: datetime
    author_agent_id: int | None


def record_ingested(
    conversations: Iterable[Conversation],
    stored: Sequence[IngestedMessage],
    *,
    new: Collection[int] = (),
) -> None:
    """New platform messages (already in time order): customer messages and native replies.
    ``new``: ids of the conversations created in this transaction (nothing to load)."""
    by_conversation: dict[int, list[IngestedMessage]] = {}
    for message in stored:
        by_conversation.setdefault(message.conversation_id, []).append(message)
    touched = [c for c in conversations if c.pk in by_conversation]

    def step(cid: int, ledger: ConversationLedger) -> None:
        for message in by_conversation[cid]:
            if message.direction == Direction.INBOUND:
                ledger.customer_message(message.platform_time)
            else:
                ledger.account_message(message.platform_time, message.author_agent_id)

    _record(touched, step, new=new)


def record_reply(conversation: Conversation, *, at: datetime, agent_id: int) -> None:
    _record([conversation], lambda _, ledger: ledger.account_message(at, agent_id))


def record_resolved(conversation: Conversation, *, at: datetime, agent_id: int | None) -> None:
    _record([conversation], lambda _, ledger: ledger.resolved_by(at, agent_id))


def record_reopened(conversation: Conversation, *, at: datetime) -> None:
    _record([conversation], lambda _, ledger: ledger.reopened(at))
