"""The lock order (docs/architecture.md §3.5): a web request and a worker that touch the same
conversation at the same moment both finish; neither is chosen as a deadlock victim.

Each test runs two real transactions in two threads and stops each at the point where it
holds its first lock, until the other holds its own: the interleaving that once deadlocked,
made certain instead of left to timing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connectors.base import FetchResult
from inbox.events import log
from inbox.models import Conversation, DeliveryState, InboxEvent, Message, Note, Tag
from inbox.services import accounts, conversations, delivery, notes, replies
from tests.factories import inbound

pytestmark = pytest.mark.django_db(transaction=True)
MEET_TIMEOUT = 10.0


def _both(steps: dict[str, Callable[[], Any]]) -> dict[str, BaseException]:
    """Run each step in a thread of that name, each in its own connection; their errors."""
    errors: dict[str, BaseException] = {}

    def run(name: str, step: Callable[[], Any]) -> None:
        try:
            step()
        except BaseException as error:  # reported by the caller
            errors[name] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, name=n, args=(n, s)) for n, s in steps.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def _meet_after(monkeypatch, owner: object, name: str, barrier: threading.Barrier) -> None:
    """``owner.name`` returns only once the other thread has reached its own meeting point."""
    real = getattr(owner, name)

    def then_meet(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        barrier.wait(MEET_TIMEOUT)
        return result

    monkeypatch.setattr(owner, name, then_meet)


@pytest.fixture
def sending_reply(conversation, agent, clean_queues) -> Message:
    """A reply whose delivery attempt has begun: the worker is about to record its outcome."""
    message = replies.reply_create(user=agent.user, conversation_id=conversation.pk, body="Hej")
    delivery.reply_delivery_begin(message_id=message.pk)
    return message


EDITS: dict[str, Callable[[Any, Conversation], Any]] = {
    "note": lambda agent, c: notes.note_create(user=agent.user, conversation_id=c.pk, body="Ok"),
    "tag": lambda agent, c: conversations.conversation_tag(
        user=agent.user, conversation_id=c.pk, add=["skat"]
    ),
    "status": lambda agent, c: conversations.conversation_set_status(
        user=agent.user, conversation_id=c.pk, status="pending"
    ),
    "assign": lambda agent, c: conversations.conversation_assign(
        user=agent.user, conversation_id=c.pk, assignee_id=None
    ),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edit_and_the_delivery_outcome_of_a_reply_on_one_conversation_both_commit(
    monkeypatch, edit, conversation, agent, sending_reply
):
    # The worker has its event sequence (the team row) and is about to insert its event, which
    # references the conversation; the request holds the conversation and wants the team row.
    barrier = threading.Barrier(2)
    real_allocate = log._allocate_seq

    def allocate(team_id: int, count: int) -> int:
        if threading.current_thread().name == "web":
            barrier.wait(MEET_TIMEOUT)  # the worker holds the team row now
            return real_allocate(team_id, count)
        last = real_allocate(team_id, count)
        barrier.wait(MEET_TIMEOUT)  # the request holds the conversation now
        return last

    monkeypatch.setattr(log, "_allocate_seq", allocate)

    errors = _both({
        "worker": lambda: delivery.reply_delivery_succeeded(
            message_id=sending_reply.pk, external_id="x-1", sent_at=timezone.now()
        ),
        "web": lambda: EDITS[edit](agent, conversation),
    })  # fmt: skip

    assert errors == {}
    sending_reply.refresh_from_db()
    assert sending_reply.delivery_state == DeliveryState.SENT
    assert {
        "note": lambda: Note.objects.filter(conversation=conversation).exists(),
        "tag": lambda: Tag.objects.filter(conversations=conversation, name="skat").exists(),
        "status": lambda: Conversation.objects.get(pk=conversation.pk).status == "pending",
        "assign": lambda: Conversation.objects.get(pk=conversation.pk).assignee_id is None,
    }[edit]()
    seqs = list(InboxEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_a_reply_and_a_poll_bringing_news_to_the_same_conversation_both_commit(
    monkeypatch, conversation, agent, clean_queues
):
    # The poll holds its channel account and is about to lock the conversation; the request
    # holds the conversation and is about to insert the reply, which references the account.
    barrier = threading.Barrier(2)
    _meet_after(monkeypatch, accounts, "lock_channel_account", barrier)
    _meet_after(monkeypatch, replies, "access_conversation", barrier)
    news = FetchResult(
        messages=(inbound(thread="t1", external_id="102", body="Og nu?"),), cursor={}
    )

    errors = _both({
        "worker": lambda: accounts.poll_result_apply(
            account_id=conversation.account_id, result=news
        ),
        "web": lambda: replies.reply_create(
            user=agent.user, conversation_id=conversation.pk, body="Svar"
        ),
    })  # fmt: skip

    assert errors == {}
    assert set(
        Message.objects.filter(conversation=conversation).values_list("direction", flat=True)
    ) == {"in", "out"}
    assert Message.objects.filter(conversation=conversation).count() == 3


def test_new_tags_are_inserted_in_name_order(conversation, agent):
    # Two requests adding the same new tags to two conversations wait for each other's
    # uncommitted tag rows; in one order they cannot each wait for the other. (A set's order
    # differs between web processes: each has its own hash seed.)
    names = [f"emne {letter}" for letter in "qwertyuiopasdfg"]
    with CaptureQueriesContext(connection) as queries:
        conversations.conversation_tag(user=agent.user, conversation_id=conversation.pk, add=names)
    insert = next(q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "inbox_tag"'))
    positions = [insert.index(f'"{name}"') for name in sorted(names)]
    assert positions == sorted(positions)


def _wait_until_someone_waits_for_a_row_lock() -> None:
    with connection.cursor() as cursor:
        for _ in range(200):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("nobody came to wait for the lock")


@pytest.mark.parametrize("waiter", ["note", "poll"])
def test_who_waited_for_a_conversation_sees_its_new_assignee(
    monkeypatch, waiter, conversation, agent, colleague, published
):
    # The conversation is handed to a colleague while a note (or a poll's news) waits for its
    # lock; what the waiter then announces shows the colleague, not the assignee it first read.
    real_allocate = log._allocate_seq

    def allocate(team_id: int, count: int) -> int:
        if threading.current_thread().name == "assign":
            _wait_until_someone_waits_for_a_row_lock()
        return real_allocate(team_id, count)

    monkeypatch.setattr(log, "_allocate_seq", allocate)
    news = FetchResult(messages=(inbound(thread="t1", external_id="102"),), cursor={})
    assign = threading.Thread(
        name="assign",
        target=lambda: (
            conversations.conversation_assign(
                user=agent.user, conversation_id=conversation.pk, assignee_id=colleague.pk
            ),
            connection.close(),
        ),
    )
    assign.start()
    time.sleep(0.3)  # the assignment holds the conversation
    if waiter == "note":
        notes.note_create(user=agent.user, conversation_id=conversation.pk, body="Ok")
    else:
        accounts.poll_result_apply(account_id=conversation.account_id, result=news)
    assign.join(timeout=30)

    kind = {"note": "note.created", "poll": "messages.received"}[waiter]
    announced = next(e for e in published if e["kind"] == kind)["conversation"]
    assert (announced["assignee"] or {}).get("id") == colleague.pk
