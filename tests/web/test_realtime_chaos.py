"""Clients dropped at random a thousand times while events flow, and one server restart:
every client still ends with every event of its teams exactly once, in order."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.db import connection
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from inbox.models import Conversation, Team
from inbox.services import messages_ingest, note_create
from tests.factories import AgentFactory, ChannelAccountFactory, inbound
from tests.web.live import session_cookie
from tests.web.servers import AsgiServer
from tests.web.wsclient import dial

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("channel_prefix"),
    pytest.mark.slow,
]

DROPS = 1_000
CLIENTS = 12
LIFETIME_MAX = 0.4  # seconds a connection lives before the client drops it
EVENTS_PER_SECOND = 40
BIG_TRANSACTION_EVERY = 25  # now and then a commit too large to inline in the doorbell
COMMITS_MIN = 400  # events keep flowing at least this long, whatever the drop rate


@dataclass
class ChaosClient:
    name: str
    cookie: str
    server: AsgiServer
    teams: list[int]
    cursor: dict[int, int] = field(default_factory=dict)
    received: dict[int, list[int]] = field(default_factory=dict)
    resyncs: list[dict] = field(default_factory=list)
    drops: int = 0

    def __post_init__(self) -> None:
        self.cursor = dict.fromkeys(self.teams, 0)
        self.received = {t: [] for t in self.teams}

    def apply(self, frame: dict) -> None:
        if frame["type"] == "events":
            for event in frame["events"]:
                self.received[frame["team_id"]].append(event["seq"])  # raw: no client de-dup
                self.cursor[frame["team_id"]] = event["seq"]
        elif frame["type"] == "resync":
            self.resyncs.append(frame)
            self.cursor[frame["team_id"]] = frame["head_seq"]

    def caught_up(self, heads: dict[int, int]) -> bool:
        return all(self.cursor[t] >= heads[t] for t in self.teams)

    async def run(self, rng: random.Random, done: asyncio.Event, heads: dict[int, int]) -> None:
        while not (done.is_set() and self.caught_up(heads)):
            try:
                async with dial(self.server, self.cookie) as ws:
                    hello = {
                        "type": "hello",
                        "last_seq": {str(t): s for t, s in self.cursor.items()},
                    }
                    await ws.send(json.dumps(hello))
                    lifetime = 30.0 if done.is_set() else rng.uniform(0, LIFETIME_MAX)
                    try:
                        async with asyncio.timeout(lifetime):
                            async for raw in ws:
                                self.apply(json.loads(raw))
                                if done.is_set() and self.caught_up(heads):
                                    return
                    except TimeoutError:
                        ws.transport.abort()  # dropped mid-stream: no close handshake
                    self.drops += 1
            except (ConnectionClosed, InvalidHandshake, OSError, TimeoutError):
                self.drops += 1  # the server went away under us, or is not back yet
                await asyncio.sleep(0.05)


class Writer(threading.Thread):
    """Services committing events into two teams' logs, as agents and connectors would."""

    def __init__(self, user, conversations: list[Conversation], account_id: int) -> None:
        super().__init__(daemon=True)
        self.user, self.conversations, self.account_id = user, conversations, account_id
        self.halt = threading.Event()
        self.error: BaseException | None = None
        self.commits = 0

    def run(self) -> None:
        try:
            n = 0
            while not self.halt.wait(1 / EVENTS_PER_SECOND):
                n = self.commits = n + 1
                if n % BIG_TRANSACTION_EVERY == 0:
                    batch = [
                        inbound(thread=f"burst-{n}-{k}", author=f"b{n}-{k}") for k in range(25)
                    ]
                    messages_ingest(account_id=self.account_id, messages=batch)
                else:
                    conversation = self.conversations[n % len(self.conversations)]
                    note_create(user=self.user, conversation_id=conversation.pk, body=f"note {n}")
        except BaseException as error:  # surfaced by the test
            self.error = error
        finally:
            connection.close()


@pytest.fixture
def chaos_servers(channel_prefix: str, transactional_db: None) -> Iterator[list[AsgiServer]]:
    started = [AsgiServer().start(), AsgiServer().start()]
    yield started
    for server in started:
        server.stop()


@pytest.mark.timeout(300)
def test_a_thousand_random_drops_and_a_restart_lose_and_repeat_nothing(
    chaos_servers, agent, colleague, outsider, admin_agent, team, other_team, x_account,
    conversation,
):  # fmt: skip
    other_account = ChannelAccountFactory(team=other_team)
    messages_ingest(account_id=other_account.pk, messages=[inbound(thread="told-1")])
    other_conversation = Conversation.objects.get(account=other_account)
    both = AgentFactory(public_name="Bo Begge", teams=[team, other_team])
    kinds = [
        (agent, [team.pk]),
        (colleague, [team.pk]),
        (outsider, [other_team.pk]),
        (both, [team.pk, other_team.pk]),
        (admin_agent, [team.pk, other_team.pk]),
    ]
    clients = [
        ChaosClient(
            name=f"{kinds[i % len(kinds)][0].public_name} #{i}",
            cookie=session_cookie(kinds[i % len(kinds)][0].user),
            server=chaos_servers[i % 2],
            teams=kinds[i % len(kinds)][1],
        )
        for i in range(CLIENTS)
    ]
    writer = Writer(both.user, [conversation, other_conversation], x_account.pk)
    heads: dict[int, int] = {}
    restarted = 0

    async def scenario() -> None:
        nonlocal restarted
        done = asyncio.Event()
        rng = random.Random(20261125)
        writer.start()
        tasks = [
            asyncio.create_task(c.run(random.Random(rng.random()), done, heads)) for c in clients
        ]
        while sum(c.drops for c in clients) < DROPS or writer.commits < COMMITS_MIN:
            if not restarted and sum(c.drops for c in clients) >= DROPS // 2:
                await asyncio.to_thread(chaos_servers[0].restart)
                restarted += 1
            await asyncio.sleep(0.1)
        writer.halt.set()
        await asyncio.to_thread(writer.join)
        heads.update(await asyncio.to_thread(read_heads, [team.pk, other_team.pk]))
        done.set()
        async with asyncio.timeout(60):
            await asyncio.gather(*tasks)

    asyncio.run(scenario())

    assert writer.error is None
    assert restarted == 1
    assert sum(c.drops for c in clients) >= DROPS
    print(
        f"drops={sum(c.drops for c in clients)} heads={heads} "
        f"delivered={sum(len(r) for c in clients for r in c.received.values())}"
    )
    assert heads[team.pk] > COMMITS_MIN // 2  # events really flowed, in both teams
    assert heads[other_team.pk] > COMMITS_MIN // 4
    for client in clients:
        assert client.resyncs == [], client.name
        for team_id in client.teams:
            assert client.received[team_id] == list(range(1, heads[team_id] + 1)), client.name


def read_heads(team_ids: list[int]) -> dict[int, int]:
    try:
        return dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "event_seq"))
    finally:
        with contextlib.suppress(Exception):
            connection.close()
