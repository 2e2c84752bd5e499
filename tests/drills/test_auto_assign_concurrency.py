"""Automatic assignment under contention (issue #17): two workers assign automatically (the
jobs ingest queues and every maintenance pass) while agents claim the same conversations
through two web processes. Nobody gets a conversation someone else got first (never two
owners), no online agent is ever over capacity, and nothing deadlocks or fails."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict

import django_rq
import httpx
import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from inbox.models import Conversation, InboxEvent, TeamAssignment
from inbox.services import messages_ingest
from inbox.services.presence import agent_presence_seen
from tests.connectors.worker_support import wait_for
from tests.factories import AgentFactory, ChannelAccountFactory, inbound

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
CAPACITY = 4
CONVERSATIONS = 40
CLAIM_SECONDS = 8.0


class Claimer(threading.Thread):
    """An agent claiming unassigned conversations through one web process, each with the
    version it saw: a conversation assigned meanwhile is refused (409), never taken over."""

    def __init__(self, origin: str, token: str, deadline: float, seed: int) -> None:
        super().__init__(daemon=True)
        self.origin, self.token, self.deadline = origin, token, deadline
        self.rng = random.Random(seed)
        self.claimed: list[int] = []
        self.refused = 0
        self.errors: list[str] = []

    def run(self) -> None:
        headers = {"Authorization": f"Token {self.token}"}
        with httpx.Client(base_url=self.origin, headers=headers, timeout=30) as http:
            while time.monotonic() < self.deadline:
                rows = http.get("/api/conversations?assignee=unassigned&status=open").json()
                if not rows["results"]:
                    time.sleep(0.05)
                    continue
                row = self.rng.choice(rows["results"])
                answer = http.post(
                    f"/api/conversations/{row['id']}/claim", json={"version": row["version"]}
                )
                if answer.status_code == 200:
                    self.claimed.append(row["id"])
                elif answer.status_code == 409:
                    self.refused += 1
                else:
                    self.errors.append(f"{answer.status_code} {answer.text[:200]}")


def _loads(agent_ids: list[int]) -> Counter[int]:
    rows = Conversation.objects.filter(assignee_id__in=agent_ids, status="open")
    return Counter(rows.values_list("assignee_id", flat=True))


def test_two_workers_and_two_web_processes_never_give_a_conversation_two_owners(topology, team):
    webs, workers = topology
    account = ChannelAccountFactory(team=team, is_active=False)  # ingested here, never polled
    online = [AgentFactory(teams=[team]) for _ in range(3)]
    claimer = AgentFactory(teams=[team])  # never online: automatic assignment passes them by
    token = Token.objects.create(user=claimer.user).key
    TeamAssignment.objects.create(team=team, enabled=True, capacity=CAPACITY)
    stop = threading.Event()
    over: list[Counter[int]] = []

    def heartbeat_and_watch() -> None:
        ids = [a.pk for a in online]
        while not stop.is_set():
            for agent in online:
                agent_presence_seen(agent_id=agent.pk)
            loads = _loads(ids)
            if any(n > CAPACITY for n in loads.values()):
                over.append(loads)
            time.sleep(0.05)
        connection.close()

    watcher = threading.Thread(target=heartbeat_and_watch, daemon=True)
    watcher.start()
    deadline = time.monotonic() + CLAIM_SECONDS
    claimers = [Claimer(web.origin, token, deadline, n) for n, web in enumerate(webs * 2)]
    for c in claimers:
        c.start()
    for batch in range(CONVERSATIONS // 5):  # customers keep writing while both sides assign
        messages_ingest(
            account_id=account.pk,
            messages=[inbound(thread=f"b{batch}-{n}", author=f"b{batch}-{n}") for n in range(5)],
        )
        time.sleep(0.5)
    for c in claimers:
        c.join(timeout=CLAIM_SECONDS + 30)
    wait_for(
        lambda: sum(_loads([a.pk for a in online]).values()) == CAPACITY * len(online),
        timeout=30, what="the workers filling every online agent to capacity",
    )  # fmt: skip
    stop.set()
    watcher.join(timeout=10)

    assert over == []
    assert [e for c in claimers for e in c.errors] == []
    claimed = [pk for c in claimers for pk in c.claimed]
    assert len(claimed) == len(set(claimed)) > 0, "a conversation was claimed twice"
    assert set(claimed) == set(
        Conversation.objects.filter(assignee=claimer).values_list("pk", flat=True)
    )
    # In the log every assignment, automatic or claimed, took a conversation nobody owned.
    owners: dict[int, list] = defaultdict(list)
    for payload in (
        InboxEvent.objects.filter(kind="conversation.assigned")
        .order_by("seq")
        .values_list("payload", flat=True)
    ):
        owners[payload["conversation"]["id"]].append(payload["previous_assignee"])
    assert len(owners) == CAPACITY * len(online) + len(claimed)
    assert all(previous == [None] for previous in owners.values()), owners
    refused = sum(c.refused for c in claimers)
    print(f"\nclaimed {len(claimed)}, refused {refused} (assigned meanwhile), automatic "
          f"{CAPACITY * len(online)}, left {CONVERSATIONS - len(owners)}")  # fmt: skip
    assert [django_rq.get_queue(q).failed_job_registry.count for q in ("default",)] == [0]
    assert "deadlock detected" not in "".join(w.output() for w in workers)
