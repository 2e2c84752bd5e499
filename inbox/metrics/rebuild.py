"""Rebuild response intervals from history, and recompute business time after a schedule change.

The rebuild replays each conversation's steps through the same rules as live recording
(``inbox.metrics.ledger``), in the order the inbox applied them: the event log's per-team
sequence. Messages come from the ``messages.received`` and ``reply.created`` events (an agent's
reply at its creation time), status changes from ``conversation.status_changed``. A
conversation whose messages have no events (data loaded in bulk, or older than the log) is
replayed from its message rows in time order instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils.dateparse import parse_datetime

from inbox.events.kinds import EventKind
from inbox.metrics.business_hours import BusinessTimeline
from inbox.metrics.ledger import ConversationLedger
from inbox.metrics.recording import interval_row, team_schedules
from inbox.models import (
    ApprovalState,
    Conversation,
    ConversationStatus,
    DeliveryState,
    Direction,
    InboxEvent,
    Message,
    ResponseInterval,
)

CHUNK = 2_000
STEP_KINDS = (
    EventKind.MESSAGES_RECEIVED,
    EventKind.REPLY_CREATED,
    EventKind.REPLY_APPROVAL,
    EventKind.CONVERSATION_STATUS,
)
_HELD = (DeliveryState.AWAITING_APPROVAL, DeliveryState.SENT_BACK)


@dataclass(frozen=True, slots=True)
class Step:
    """One thing that happened to a conversation, as the ledger consumes it."""

    what: str  # "customer", "account", "resolved", "reopened"
    at: datetime
    agent_id: int | None = None


def _time(value: str) -> datetime:
    parsed = parse_datetime(value)
    assert parsed is not None, f"not a timestamp: {value!r}"
    return parsed


def _message_step(snapshot: dict) -> Step:
    at = _time(snapshot["platform_time"])
    if snapshot["direction"] == Direction.INBOUND:
        return Step("customer", at)
    agent = snapshot.get("author_agent")
    return Step("account", at, agent["id"] if agent else None)


def steps_from_events(events: Sequence[InboxEvent]) -> list[Step]:
    """The steps recorded in a conversation's log, in sequence order."""
    steps: list[Step] = []
    for event in events:
        payload = event.payload
        if event.kind == EventKind.MESSAGES_RECEIVED:
            steps.extend(_message_step(m) for m in payload["messages"])
        elif event.kind == EventKind.REPLY_CREATED:
            if payload["message"]["delivery_state"] != DeliveryState.AWAITING_APPROVAL:
                steps.append(_message_step(payload["message"]))
        elif event.kind == EventKind.REPLY_APPROVAL:
            # A held reply answers the customer when it is approved (issue #16).
            if payload["approval"]["state"] == ApprovalState.APPROVED:
                steps.append(_message_step(payload["message"]))
        elif event.kind == EventKind.CONVERSATION_STATUS:
            snapshot = payload["conversation"]
            if snapshot["status"] == ConversationStatus.RESOLVED:
                steps.append(Step("resolved", _time(snapshot["resolved_at"]), event.actor_id))
            elif payload.get("previous_status") == ConversationStatus.RESOLVED:
                steps.append(Step("reopened", _time(snapshot["opened_at"])))
    return steps


def steps_from_messages(messages: Sequence[Message], status_steps: Sequence[Step]) -> list[Step]:
    """Steps of a conversation without message events: its rows, by the time each counts."""
    steps = list(status_steps)
    for m in messages:
        if m.direction == Direction.INBOUND:
            steps.append(Step("customer", m.platform_time))
        elif m.delivery_state in _HELD:
            continue  # waiting for approval, or sent back: nobody is answered yet
        elif m.author_agent_id is not None:
            steps.append(Step("account", m.received_at, m.author_agent_id))  # created in Svar
        else:
            steps.append(Step("account", m.platform_time))
    order = {"customer": 0, "account": 1, "reopened": 2, "resolved": 3}
    return sorted(steps, key=lambda s: (s.at, order[s.what]))


def replay(steps: Sequence[Step]) -> ConversationLedger:
    ledger = ConversationLedger()
    for step in steps:
        if step.what == "customer":
            ledger.customer_message(step.at)
        elif step.what == "account":
            ledger.account_message(step.at, step.agent_id)
        elif step.what == "resolved":
            ledger.resolved_by(step.at, step.agent_id)
        else:
            ledger.reopened(step.at)
    return ledger


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _steps_for(conversation_ids: Sequence[int]) -> dict[int, list[Step]]:
    events: dict[int, list[InboxEvent]] = defaultdict(list)
    for event in (
        InboxEvent.objects.filter(conversation_id__in=conversation_ids, kind__in=STEP_KINDS)
        .only("conversation_id", "kind", "payload", "actor_id")
        .order_by("team_id", "seq")
    ):
        events[event.conversation_id].append(event)
    steps = {cid: steps_from_events(events.get(cid, [])) for cid in conversation_ids}
    without_log = [
        cid
        for cid in conversation_ids
        if not any(s.what in ("customer", "account") for s in steps[cid])
    ]
    if without_log:
        messages: dict[int, list[Message]] = defaultdict(list)
        for m in (
            Message.objects.filter(conversation_id__in=without_log)
            .only(
                "conversation_id",
                "direction",
                "author_agent_id",
                "platform_time",
                "received_at",
                "delivery_state",
            )
            .order_by("platform_time", "id")
        ):
            messages[m.conversation_id].append(m)
        for cid in without_log:
            steps[cid] = steps_from_messages(messages.get(cid, []), steps[cid])
    return steps


def intervals_rebuild(*, team_id: int | None = None) -> int:
    """Replace the intervals of every conversation (of one team) by a replay; returns the count."""
    queryset = Conversation.objects.order_by("pk")
    if team_id is not None:
        queryset = queryset.filter(team_id=team_id)
    ids = list(queryset.values_list("pk", flat=True))
    written = 0
    for chunk in _chunks(ids):
        with transaction.atomic():
            conversations = {
                c.pk: c
                for c in Conversation.objects.select_for_update(of=("self",), no_key=True)
                .select_related("account")
                .filter(pk__in=chunk)
                .order_by("pk")
            }
            schedules = team_schedules({c.team_id for c in conversations.values()})
            steps = _steps_for(list(conversations))
            rows = []
            for cid, conversation in conversations.items():
                schedule = schedules[conversation.team_id]
                for interval in replay(steps[cid]).intervals:
                    rows.append(interval_row(conversation, interval, schedule))
            ResponseInterval.objects.filter(conversation_id__in=list(conversations)).delete()
            ResponseInterval.objects.bulk_create(rows, batch_size=5_000)
            written += len(rows)
    return written


def business_seconds_recompute(*, team_id: int) -> int:
    """Recompute the business time of a team's closed intervals (after its schedule changed)."""
    schedule = team_schedules([team_id])[team_id]
    closed = ResponseInterval.objects.filter(team_id=team_id, ended_at__isnull=False)
    span = closed.aggregate(first=Min("started_at"), last=Max("ended_at"))
    if span["first"] is None:
        return 0
    timeline = BusinessTimeline(schedule, span["first"], span["last"])
    last_id = 0
    updated = 0
    while True:
        rows = list(
            ResponseInterval.objects.filter(team_id=team_id, ended_at__isnull=False, pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", "started_at", "ended_at")[:10_000]
        )
        if not rows:
            return updated
        ids = [r[0] for r in rows]
        values = [timeline.seconds(r[1], r[2]) for r in rows]
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE inbox_responseinterval AS ri SET business_seconds = v.seconds
                  FROM unnest(%s::bigint[], %s::double precision[]) AS v(id, seconds)
                 WHERE ri.id = v.id
                """,
                [ids, values],
            )
        updated += len(rows)
        last_id = ids[-1]
