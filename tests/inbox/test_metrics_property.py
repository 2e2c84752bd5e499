"""Property: on random conversation histories driven through the real services, the SQL figures
equal a plain-Python reference computed from the definitions in docs/metrics.md, and the
rebuild from the event log reproduces what live recording wrote."""

from __future__ import annotations

import math
import statistics
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inbox.metrics import selectors as metrics
from inbox.metrics.filters import parse_filters
from inbox.metrics.rebuild import intervals_rebuild
from inbox.models import Conversation, ResponseInterval
from inbox.permissions.roles import Role
from inbox.services import conversation_set_status, messages_ingest, note_create, reply_create
from tests.factories import AgentFactory, ChannelAccountFactory, TeamFactory, inbound
from tests.inbox.metrics_support import Clock

pytestmark = pytest.mark.django_db

BASE = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
ACTIONS = ("customer", "customer", "customer", "reply_a", "reply_b", "native", "note",
           "resolve_a", "resolve_b", "reopen")  # fmt: skip

steps_strategy = st.lists(
    st.tuples(
        st.integers(0, 1),  # which conversation
        st.sampled_from(ACTIONS),
        st.integers(1, 20_000),  # seconds since the previous step
    ),
    min_size=1,
    max_size=25,
)


def percentile_cont(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Reference:
    """The definitions, stated directly: each conversation's waits and openings."""

    started: bool = False
    resolved: bool = False
    opened_at: datetime | None = None
    waiting_since: datetime | None = None
    first_wait_since: datetime | None = None  # the opening's first customer message, unanswered
    first_answered: bool = False
    measured: dict[str, list[tuple[float, str | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def customer(self, at: datetime) -> None:
        if not self.started or self.resolved:
            self.started, self.resolved, self.opened_at = True, False, at
            self.first_wait_since, self.first_answered = None, False
        if self.waiting_since is None:
            self.waiting_since = at
        if self.first_wait_since is None and not self.first_answered:
            self.first_wait_since = at

    def reply(self, at: datetime, who: str | None) -> None:
        if not self.started:
            self.started, self.opened_at = True, at
        if self.waiting_since is not None:
            self.measured["reply"].append(((at - self.waiting_since).total_seconds(), who))
            self.waiting_since = None
        if self.first_wait_since is not None:
            self.measured["first_response"].append(
                ((at - self.first_wait_since).total_seconds(), who)
            )
            self.first_wait_since, self.first_answered = None, True

    def resolve(self, at: datetime, who: str) -> None:
        self.measured["resolution"].append(((at - self.opened_at).total_seconds(), who))
        self.resolved, self.waiting_since = True, None
        if self.first_wait_since is not None:  # unanswered: not a response time
            self.first_wait_since, self.first_answered = None, True

    def reopen(self, at: datetime) -> None:
        self.resolved, self.opened_at = False, at
        self.first_wait_since, self.first_answered = None, False


@pytest.fixture
def cast(db):
    manager = AgentFactory(public_name="Maja", role=Role.MANAGER)
    return manager, AgentFactory(public_name="Anna"), AgentFactory(public_name="Bo")


def intervals_of(team_id: int) -> list[tuple]:
    return sorted(
        ResponseInterval.objects.filter(team_id=team_id).values_list(
            "conversation_id", "kind", "opening", "started_at", "ended_at", "ended_by",
            "agent_id", "calendar_seconds",
        )
    )  # fmt: skip


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps_strategy)
def test_sql_figures_equal_the_reference(monkeypatch, cast, steps):
    manager, anna, bo = cast
    team = TeamFactory(name=f"Team {uuid.uuid4()}")
    for person in cast:
        person.teams.add(team)
    account = ChannelAccountFactory(team=team)
    threads = [f"t-{uuid.uuid4()}", f"t-{uuid.uuid4()}"]
    clock = Clock(monkeypatch)
    references = [Reference(), Reference()]
    names = {"a": anna, "b": bo}
    at = BASE
    for which, action, gap in steps:
        at += timedelta(seconds=gap)
        clock.at(at)
        ref = references[which]
        conversation = Conversation.objects.filter(
            account=account, external_thread_id=threads[which]
        ).first()
        if action == "customer":
            messages_ingest(account_id=account.pk, messages=[inbound(thread=threads[which], at=at)])
            ref.customer(at)
        elif conversation is None:
            continue  # nothing to answer, resolve or note yet
        elif action.startswith("reply_"):
            agent = names[action[-1]]
            reply_create(user=agent.user, conversation_id=conversation.pk, body="Svar")
            ref.reply(at, agent.public_name)
        elif action == "native":
            messages_ingest(
                account_id=account.pk,
                messages=[inbound(thread=threads[which], at=at, from_account=True, author="acct")],
            )
            ref.reply(at, None)
        elif action == "note":
            note_create(user=anna.user, conversation_id=conversation.pk, body="internt")
        elif action.startswith("resolve_") and not ref.resolved:
            agent = names[action[-1]]
            conversation_set_status(
                user=agent.user, conversation_id=conversation.pk, status="resolved"
            )
            ref.resolve(at, agent.public_name)
        elif action == "reopen" and ref.resolved:
            conversation_set_status(user=anna.user, conversation_id=conversation.pk, status="open")
            ref.reopen(at)

    filters = parse_filters(
        manager.user, {"team": str(team.pk), "from": "2026-01-01", "to": "2026-02-28"}
    )
    summary = metrics.summary(filters)
    for kind in ("first_response", "reply", "resolution"):
        expected = [s for r in references for s, _ in r.measured[kind]]
        got = summary[kind]["current"]
        assert got.count == len(expected), kind
        if expected:
            assert got.median == pytest.approx(percentile_cont(expected, 0.5)), kind
            assert got.p90 == pytest.approx(percentile_cont(expected, 0.9)), kind
            assert got.mean == pytest.approx(statistics.fmean(expected)), kind
        per_agent: dict[str, list[float]] = defaultdict(list)
        for r in references:
            for seconds, who in r.measured[kind]:
                per_agent[who or "Outside Svar (platform app)"].append(seconds)
        rows = metrics.breakdown(filters, kind, metrics.Dimension.AGENT)
        assert {row.label: row.stats.count for row in rows} == {
            k: len(v) for k, v in per_agent.items()
        }
        for row in rows:
            assert row.stats.median == pytest.approx(percentile_cont(per_agent[row.label], 0.5))
        bins = metrics.distribution(filters, kind)
        assert sum(n for _, _, n in bins) == len(expected)

    live = intervals_of(team.pk)
    intervals_rebuild(team_id=team.pk)
    assert intervals_of(team.pk) == live
