"""Automatic assignment at the same moment in two places (issue #17): two workers' passes, or a
pass and a person, never give one conversation to two agents and never take an agent over
capacity.

Each test runs real transactions in two threads, each on its own database connection, and
holds the first at the point where it has read the loads and locked its conversations until
the second is provably waiting (pg_stat_activity), so the interleaving is certain, not timing.
Without the pass's advisory lock (lock 1, docs/architecture.md §3.5) the second pass would read
the same loads and hand out a second conversation: these tests then fail.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from inbox.exceptions import StaleVersion
from inbox.models import Conversation, InboxEvent, TeamAssignment
from inbox.services import auto_assign, conversations, messages_ingest
from inbox.services.auto_assign import auto_assign_team
from inbox.services.presence import agent_presence_seen
from tests.factories import ChannelAccountFactory, inbound

pytestmark = pytest.mark.django_db(transaction=True)
MEET_TIMEOUT = 10.0


def _run_both(first: Callable[[], Any], second: Callable[[], Any], entered: threading.Event):
    """``first`` in a thread; once it has ``entered`` its critical point, ``second`` in
    another. Returns each one's result or error."""
    out: dict[str, Any] = {}

    def run(name: str, step: Callable[[], Any]) -> None:
        try:
            out[name] = step()
        except BaseException as error:  # the caller asserts on it
            out[name] = error
        finally:
            connection.close()

    one = threading.Thread(target=run, args=("first", first))
    one.start()
    assert entered.wait(MEET_TIMEOUT), "the first transaction never reached its lock"
    two = threading.Thread(target=run, args=("second", second))
    two.start()
    one.join(60)
    two.join(60)
    return out["first"], out["second"]


def _wait_for_a_waiter(event: str) -> None:
    """Until another backend of this database waits for a lock of this kind. (Inside a
    transaction the statistics are a snapshot: cleared before each look.)"""
    with connection.cursor() as cursor:
        for _ in range(200):
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND wait_event = %s",
                [event],
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError(f"nobody came to wait for a {event} lock")


def _hold_first_pass(monkeypatch, waiter: str) -> threading.Event:
    """The first pass to lock its conversations keeps its transaction open until another
    transaction waits for a ``waiter`` lock; returns the event set when it got there."""
    entered = threading.Event()
    real = auto_assign._unassigned

    def unassigned(team_id: int, limit: int) -> list[Conversation]:
        rows = real(team_id, limit)
        if not entered.is_set():
            entered.set()
            _wait_for_a_waiter(waiter)
        return rows

    monkeypatch.setattr(auto_assign, "_unassigned", unassigned)
    return entered


def _customers(account, n: int, prefix: str) -> None:
    messages_ingest(
        account_id=account.pk,
        messages=[inbound(thread=f"{prefix}{i}", author=f"{prefix}{i}") for i in range(n)],
    )


def _owned_by(agent) -> int:
    return Conversation.objects.filter(assignee=agent).count()


def test_two_passes_of_one_team_at_once_never_exceed_capacity(monkeypatch, team, x_account, agent):
    TeamAssignment.objects.create(team=team, enabled=True, capacity=1)
    agent_presence_seen(agent_id=agent.pk)
    _customers(x_account, 3, "c")
    entered = _hold_first_pass(monkeypatch, "advisory")

    first, second = _run_both(
        lambda: auto_assign_team(team.pk), lambda: auto_assign_team(team.pk), entered
    )

    assert (first.assigned, second.assigned) == (1, 0)
    assert _owned_by(agent) == 1
    assert Conversation.objects.filter(assignee__isnull=True).count() == 2


def test_two_teams_passes_at_once_count_an_agent_of_both_teams_once(
    monkeypatch, team, other_team, x_account, agent
):
    agent.teams.add(other_team)
    told = ChannelAccountFactory(team=other_team)
    for each in (team, other_team):
        TeamAssignment.objects.create(team=each, enabled=True, capacity=1)
    agent_presence_seen(agent_id=agent.pk)
    _customers(x_account, 1, "skat")
    _customers(told, 1, "told")
    entered = _hold_first_pass(monkeypatch, "advisory")

    first, second = _run_both(
        lambda: auto_assign_team(team.pk), lambda: auto_assign_team(other_team.pk), entered
    )

    assert first.assigned + second.assigned == 1
    assert _owned_by(agent) == 1


def test_a_pass_skips_the_conversation_a_person_is_assigning(
    monkeypatch, team, x_account, agent, colleague, manager
):
    TeamAssignment.objects.create(team=team, enabled=True, capacity=5)
    agent_presence_seen(agent_id=agent.pk)
    _customers(x_account, 1, "c")
    target = Conversation.objects.get()
    entered, release = threading.Event(), threading.Event()
    real = conversations.access_conversation

    def access(*args: Any, **kwargs: Any) -> Conversation:
        row = real(*args, **kwargs)
        entered.set()  # the person holds the conversation's row lock now
        assert release.wait(MEET_TIMEOUT)
        return row

    monkeypatch.setattr(conversations, "access_conversation", access)

    def pass_then_release() -> Any:
        try:
            return auto_assign_team(team.pk)
        finally:
            release.set()

    person, automatic = _run_both(
        lambda: conversations.conversation_assign(
            user=manager.user, conversation_id=target.pk, assignee_id=colleague.pk
        ),
        pass_then_release,
        entered,
    )

    assert automatic.assigned == 0  # the locked row was skipped, not waited for or taken
    assert person.assignee_id == colleague.pk
    target.refresh_from_db()
    assert target.assignee_id == colleague.pk
    assigned = InboxEvent.objects.filter(conversation=target, kind="conversation.assigned")
    assert [e.payload["conversation"]["assignee"]["id"] for e in assigned] == [colleague.pk]


def test_a_person_claiming_what_a_pass_just_assigned_is_refused(
    monkeypatch, team, x_account, agent, colleague
):
    TeamAssignment.objects.create(team=team, enabled=True, capacity=5)
    agent_presence_seen(agent_id=agent.pk)
    _customers(x_account, 1, "c")
    target = Conversation.objects.get()
    seen_version = target.version
    entered = _hold_first_pass(monkeypatch, "transactionid")

    automatic, person = _run_both(
        lambda: auto_assign_team(team.pk),
        lambda: conversations.conversation_assign(
            user=colleague.user,
            conversation_id=target.pk,
            assignee_id=colleague.pk,
            expected_version=seen_version,
        ),
        entered,
    )

    assert automatic.assigned == 1
    assert isinstance(person, StaleVersion)  # it waited for the row and saw the new owner
    target.refresh_from_db()
    assert target.assignee_id == agent.pk
