"""A minute of contention: two web processes and two workers on the same few conversations.

Agents reply, add notes, tag, change the status and reassign through both web processes while
customers keep writing in the same threads and both workers poll and deliver. Nobody may see a
deadlock, a server error or a lost write: every reply is posted exactly once, every note,
tag, status and assignment that was answered with success is in the database and in the event
log (docs/architecture.md §3.5, the lock order). The figures go to docs/performance.md.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator

import django_rq
import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from connectors.simulator import demo
from connectors.simulator.x.app import XApp
from inbox.models import Conversation, DeliveryState, InboxEvent, Message, Note
from inbox.services.accounts import channel_account_create
from inbox.services.conversations import conversation_assign
from tests.connectors.twitter_support import ME, XSim, start
from tests.connectors.worker_support import wait_for
from tests.drills.contention import Customers, EditClient, Ledger, ReplyClient

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
DURATION = float(os.environ.get("SVAR_CONTENTION_SECONDS", "60"))
CONVERSATIONS = 3
EDITORS_PER_WEB = 3
UNLIMITED = 1_000_000  # the simulator's budgets: this drill is about Svar, not X's limits


@pytest.fixture
def roomy_x() -> Iterator[XSim]:
    endpoints = ("POST /2/tweets", "GET /2/users/:id/mentions", "GET /2/dm_events")
    yield from start(XApp(limits=dict.fromkeys(endpoints, UNLIMITED)))


def _deadlocks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def _open_threads(x: XSim, team, agent) -> dict[int, str]:
    """The drill's conversations, polled in by the workers and assigned: {id: root tweet}."""
    channel_account_create(
        platform="x", display_name="@skattefar", external_id=ME, team_name=team.name,
        token=demo.X_TOKEN, base_url=x.base_url, poll_interval_seconds=5,
    )  # fmt: skip
    roots = [
        x.app.add_mention(ME, {"id": str(7000 + n), "username": f"k{n}", "name": f"K {n}"},
                          f"Spørgsmål {n}")["id"]
        for n in range(CONVERSATIONS)
    ]  # fmt: skip
    wait_for(lambda: Conversation.objects.count() == CONVERSATIONS, timeout=60, what="polls")
    threads = dict(Conversation.objects.values_list("pk", "external_thread_id"))
    assert sorted(threads.values()) == sorted(roots)
    for conversation_id in threads:  # replies then never claim: assignments are the editors'
        conversation_assign(user=agent.user, conversation_id=conversation_id, assignee_id=agent.pk)
    return threads


def test_a_minute_of_replies_deliveries_and_edits_on_the_same_conversations(
    topology, roomy_x, team, agent, colleague
):
    webs, workers = topology
    threads = _open_threads(roomy_x, team, agent)
    agents = (agent, colleague)
    tokens = [Token.objects.create(user=a.user).key for a in agents]
    logs_from = {web.log: web.log.stat().st_size for web in webs}
    deadlocks_before = _deadlocks()
    ledger = Ledger()
    deadline = time.monotonic() + DURATION
    clients: list[threading.Thread] = [Customers(roomy_x, threads, ledger, deadline)]
    for n, (web, token) in enumerate(zip(webs, tokens, strict=True)):
        clients.append(ReplyClient(web, token, list(threads), ledger, deadline, name=f"r{n}"))
        clients += [
            EditClient(web, token, list(threads), ledger, deadline, name=f"e{n}{m}",
                       assignees=[a.pk for a in agents], rng=random.Random(n * 10 + m))
            for m in range(EDITORS_PER_WEB)
        ]  # fmt: skip
    started = time.monotonic()
    for client in clients:
        client.start()
    for client in clients:
        client.join(timeout=DURATION + 60)
    elapsed = time.monotonic() - started

    replies = ledger.created("reply")
    wait_for(
        lambda: Message.objects.filter(pk__in=replies, delivery_state=DeliveryState.SENT).count()
        == len(replies),
        timeout=120, what="every reply delivered",
    )  # fmt: skip
    delivered_by = time.monotonic() - started
    wait_for(lambda: Message.objects.filter(direction="in").count() == ledger.customer_messages
             + CONVERSATIONS, timeout=60, what="every customer message polled")  # fmt: skip
    time.sleep(1.5)  # PostgreSQL flushes its statistics (the deadlock count) within a second
    _report(ledger, elapsed, delivered_by, _deadlocks() - deadlocks_before)

    logs = b"".join(path.read_bytes()[start:] for path, start in logs_from.items()).decode(
        errors="replace"
    )
    logs += "".join(worker.output() for worker in workers)
    assert "deadlock detected" not in logs
    assert _deadlocks() == deadlocks_before
    assert ledger.failures == [], ledger.failures[:5]
    assert [django_rq.get_queue(q).failed_job_registry.count
            for q in ("delivery", "polling", "default")] == [0, 0, 0]  # fmt: skip
    _assert_every_reply_posted_once(roomy_x, replies)
    _assert_no_lost_write(ledger, threads)


def _assert_every_reply_posted_once(x: XSim, replies: list[int]) -> None:
    posted = Counter(t["text"] for t in x.app.posted_replies(ME))
    stored = Counter(Message.objects.filter(pk__in=replies).values_list("text", flat=True))
    assert len(replies) == len(set(replies)) > 0
    assert posted == stored


def _assert_no_lost_write(ledger: Ledger, threads: dict[int, str]) -> None:
    """Every write answered with success is stored and logged under the version it was
    answered with, no two under the same one, and each conversation is as its newest logged
    snapshot says."""
    assert set(Note.objects.values_list("pk", flat=True)) == set(ledger.created("note"))
    logged: dict[int, dict[int, dict]] = defaultdict(dict)
    for payload in InboxEvent.objects.order_by("seq").values_list("payload", flat=True):
        snapshot = payload.get("conversation")
        if snapshot and snapshot["version"] not in logged[snapshot["id"]]:
            logged[snapshot["id"]][snapshot["version"]] = snapshot
    for conversation_id, version, op, asked in ledger.writes:
        snapshot = logged[conversation_id][version]
        assert {
            "reply": True,
            "tag": asked in snapshot["tags"],
            "status": snapshot["status"] == asked,
            "assign": (snapshot["assignee"] or {}).get("id") == asked,
        }[op], (op, asked, snapshot)
    # An assignment to whoever has it already changes nothing: it may repeat a version.
    versions = Counter((c, v) for c, v, op, _ in ledger.writes if op != "assign")
    assert max(versions.values()) == 1, "two writes were answered with the same version"
    for conversation in Conversation.objects.prefetch_related("tags"):
        newest = logged[conversation.pk][max(logged[conversation.pk])]
        assert newest["version"] == conversation.version
        assert newest["status"] == conversation.status
        assert (newest["assignee"] or {}).get("id") == conversation.assignee_id
        assert sorted(t.name for t in conversation.tags.all()) == sorted(newest["tags"])
        assert set(newest["tags"]) == ledger.expected_tags(conversation.pk)
    assert set(logged) == set(threads)


def _report(ledger: Ledger, elapsed: float, delivered_by: float, deadlocks: int) -> None:
    done = Counter(op for op, ok in ledger.outcomes if ok)
    refused = Counter(op for op, ok in ledger.outcomes if not ok)
    replies = len(ledger.created("reply"))
    load = os.getloadavg()
    print(
        f"\ncontention drill: {elapsed:.0f} s, 2 web processes, 2 workers, "
        f"{CONVERSATIONS} conversations, {2 * (EDITORS_PER_WEB + 1)} agent clients; "
        f"{len(ledger.outcomes) / elapsed:.1f} requests/s answered, "
        f"{sum(done.values()) / elapsed:.1f}/s successful "
        f"({', '.join(f'{op} {n}' for op, n in sorted(done.items()))}); "
        f"refused as conflicts: {dict(refused)}; "
        f"{replies} replies ({replies / elapsed:.1f}/s), all delivered {delivered_by:.0f} s "
        f"after the start; {ledger.customer_messages} customer messages polled; "
        f"failures: {len(ledger.failures)}; deadlocks: {deadlocks}; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
