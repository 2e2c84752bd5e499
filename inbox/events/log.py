"""The durable event log: services announce events inside their transaction; each is appended
to its team's log under the next sequence number, and the doorbell rings after commit.

Only services call :func:`announce`, with events built by the constructors of
``inbox.events.kinds``.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from inbox.db.bulk import insert_rows
from inbox.events import doorbell
from inbox.events.kinds import PendingEvent
from inbox.models import InboxEvent


def _allocate_seq(team_id: int, count: int) -> int:
    """Reserve ``count`` sequence numbers; returns the last. The row lock orders commits.

    The last lock of a transaction (docs/architecture.md §3.5): whatever the caller still does
    after it only inserts rows, whose foreign-key checks no lock of the lock order blocks."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inbox_team SET event_seq = event_seq + %s WHERE id = %s RETURNING event_seq",
            [count, team_id],
        )
        return cursor.fetchone()[0]


def announce(*events: PendingEvent) -> list[InboxEvent]:
    """Append events to the log inside the caller's transaction and ring after commit."""
    if not events:
        return []
    assert connection.in_atomic_block, "events are announced inside a service transaction"
    now = timezone.now()
    by_team: dict[int, list[PendingEvent]] = defaultdict(list)
    for event in events:
        by_team[event.log_team_id].append(event)
    rows: list[InboxEvent] = []
    for team_id in sorted(by_team):  # a fixed lock order: no deadlock between two services
        team_events = by_team[team_id]
        last = _allocate_seq(team_id, len(team_events))
        first = last - len(team_events) + 1
        rows.extend(
            InboxEvent(
                team_id=team_id,
                seq=first + offset,
                kind=event.kind,
                conversation_id=event.conversation.pk if event.conversation else None,
                actor=event.actor,
                payload={"kind": str(event.kind), **event.payload},
                created_at=now,
            )
            for offset, event in enumerate(team_events)
        )
    insert_rows(rows)
    # Looked up at commit, not bound now: tests and benchmarks replace doorbell.ring.
    transaction.on_commit(lambda: doorbell.ring(rows))
    return rows
