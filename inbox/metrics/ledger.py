"""The rules that turn a conversation's history into response intervals (docs/metrics.md).

Pure Python and in memory: live recording (``inbox.metrics.recording``) loads a conversation's
current state, applies the new steps and saves what changed; the rebuild
(``inbox.metrics.rebuild``) applies a whole history. One set of rules, so the two agree.

- A customer message opens the conversation if it is new or resolved (a new *opening*, with
  its resolution interval), starts a reply wait if none runs, and starts the opening's first
  response wait if the opening has none yet.
- An account message (an agent's reply created in Svar, or a reply sent from the platform's
  own app) ends the running waits: credited to the agent, or uncredited (``native``).
- Resolving ends the resolution interval (credited to whoever resolved) and ends running waits
  as ``unanswered`` (left out of response times). Reopening by hand starts a new opening.
- Internal notes are no step at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from inbox.models.metrics import IntervalEnd, IntervalKind

WAIT_KINDS = (IntervalKind.FIRST_RESPONSE, IntervalKind.REPLY)


@dataclass(slots=True)
class Interval:
    kind: str
    opening: int
    started_at: datetime
    ended_at: datetime | None = None
    ended_by: str = ""
    agent_id: int | None = None
    pk: int | None = None  # set when loaded from the database
    changed: bool = True  # new, or closed since loaded

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def calendar_seconds(self) -> float | None:
        if self.ended_at is None:
            return None
        # In UTC: Python subtracts two datetimes of the same zone by wall clock, ignoring DST.
        elapsed = self.ended_at.astimezone(UTC) - self.started_at.astimezone(UTC)
        return max(0.0, elapsed.total_seconds())


@dataclass(slots=True)
class ConversationLedger:
    """The intervals of a conversation's current opening (and, in a rebuild, all before it)."""

    intervals: list[Interval] = field(default_factory=list)
    opening: int = 0  # 0: never opened
    resolved: bool = False
    first_response_seen: bool = False

    def _running(self, kind: str) -> Interval | None:
        for interval in reversed(self.intervals):
            if interval.kind == kind and interval.is_open:
                return interval
        return None

    def _open(self, kind: str, at: datetime) -> None:
        self.intervals.append(Interval(kind=kind, opening=self.opening, started_at=at))

    def _start_opening(self, at: datetime) -> None:
        self.opening += 1
        self.resolved = False
        self.first_response_seen = False
        self._open(IntervalKind.RESOLUTION, at)

    def _close(self, interval: Interval, at: datetime, by: str, agent_id: int | None) -> None:
        interval.ended_at = at
        interval.ended_by = by
        interval.agent_id = agent_id
        interval.changed = True

    def customer_message(self, at: datetime) -> None:
        if self.opening == 0 or self.resolved:
            self._start_opening(at)
        if self._running(IntervalKind.REPLY) is None:
            self._open(IntervalKind.REPLY, at)
        if not self.first_response_seen:
            self.first_response_seen = True
            self._open(IntervalKind.FIRST_RESPONSE, at)

    def account_message(self, at: datetime, agent_id: int | None) -> None:
        """A reply reached the customer's thread: from Svar (``agent_id``) or natively (None)."""
        if self.opening == 0:
            self._start_opening(at)  # a thread the account started itself
        by = IntervalEnd.AGENT if agent_id is not None else IntervalEnd.NATIVE
        for kind in WAIT_KINDS:
            running = self._running(kind)
            if running is not None:
                self._close(running, at, by, agent_id)

    def resolved_by(self, at: datetime, agent_id: int | None) -> None:
        for kind in WAIT_KINDS:
            running = self._running(kind)
            if running is not None:
                self._close(running, at, IntervalEnd.UNANSWERED, None)
        resolution = self._running(IntervalKind.RESOLUTION)
        if resolution is not None:
            self._close(resolution, at, IntervalEnd.RESOLVED, agent_id)
        self.resolved = True

    def reopened(self, at: datetime) -> None:
        if self.opening == 0 or self.resolved:
            self._start_opening(at)
