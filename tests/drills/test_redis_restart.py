"""Drill: Redis restarts (SIGTERM, down two seconds) while replies wait in the delivery queue
and customers keep writing. A real worker and a real web process use a private Redis; a real
WebSocket client keeps its session going as a browser would. Afterwards every message is
stored once, every reply posted once, and the client has every event of the team exactly
once. Downtime and recovery time are printed."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from websockets.exceptions import ConnectionClosed, InvalidStatus

from connectors.simulator import demo
from connectors.simulator.faults import FaultKind
from inbox.models import Conversation, DeliveryState, Message, Team
from inbox.services import reply_create
from inbox.services.accounts import channel_account_create
from tests.connectors.twitter_support import ME
from tests.connectors.worker_support import WorkerProcess
from tests.drills.private_servers import PrivateRedis
from tests.web.live import session_cookie
from tests.web.servers import AsgiServer
from tests.web.wsclient import dial

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
BEFORE, DURING = 300, 300  # mentions waiting before the restart, and written while Redis is down
REPLIES = 6
DOWN_SECONDS = 2.0


@pytest.fixture
def private_redis(settings: Any, monkeypatch: pytest.MonkeyPatch, channel_prefix: str
                  ) -> Iterator[PrivateRedis]:  # fmt: skip
    """This process, the worker and the web process all on a private Redis."""
    server = PrivateRedis().start()
    for name in django_settings.RQ_QUEUES:  # django_rq reads this very dict
        monkeypatch.setitem(django_settings.RQ_QUEUES[name], "URL", server.url)
    settings.REDIS_URL = server.url
    layer = django_settings.CHANNEL_LAYERS["default"]
    settings.CHANNEL_LAYERS = {
        "default": {
            **layer,
            "CONFIG": {**layer["CONFIG"], "hosts": [{"address": server.url,
                                                     "socket_timeout": None}]},
        }
    }  # fmt: skip
    yield server
    server.cleanup()


def test_workers_and_websocket_clients_recover_from_a_redis_restart(
    private_redis, x_sim, team, agent
):
    account = channel_account_create(
        platform="x", display_name="@skattefar", external_id=ME, team_name=team.name,
        token=demo.X_TOKEN, base_url=x_sim.base_url, poll_interval_seconds=5,
    )  # fmt: skip
    customer = {"id": "6000", "username": "kunde", "name": "Kirsten Madsen"}
    for n in range(BEFORE):
        x_sim.app.add_mention(ME, {**customer, "id": str(6000 + n)}, f"Før {n}")
    cookie = session_cookie(agent.user)
    web = AsgiServer().start()
    worker = WorkerProcess(name="redis-drill")
    client = LiveClient(web, cookie)
    client.start()
    try:
        _wait(lambda: _stored() >= BEFORE, 90, "the first backlog")
        conversation_id = Conversation.objects.order_by("pk").values_list("pk", flat=True)[0]
        # Each post hangs a second: replies are still queued in Redis when it goes down.
        x_sim.fault(FaultKind.SLOW, path_prefix="/2/tweets", delay_seconds=1, remaining=REPLIES)
        replies = [
            reply_create(user=agent.user, conversation_id=conversation_id, body=f"Svar {n}")
            for n in range(REPLIES)
        ]
        time.sleep(0.5)
        queued = Message.objects.filter(
            pk__in=[r.pk for r in replies], delivery_state=DeliveryState.QUEUED
        ).count()
        stopped = time.monotonic()
        private_redis.stop()
        for n in range(DURING):  # customers do not wait for our Redis
            x_sim.app.add_mention(ME, {**customer, "id": str(7000 + n)}, f"Under {n}")
        time.sleep(DOWN_SECONDS)
        private_redis.start()
        up = time.monotonic()
        _wait(lambda: _stored() >= BEFORE + DURING and _sent(replies) == REPLIES, 120,
              "every message and reply after the restart")  # fmt: skip
        recovered = time.monotonic() - up
        head = Team.objects.get(pk=team.pk).event_seq
        client.wait_for_seq(team.pk, head, timeout=30)
        caught_up = time.monotonic() - up
        worker_alive = worker.process.poll() is None
    finally:
        client.stop()
        worker.stop()
        web.stop()

    external_ids = list(Message.objects.filter(direction="in").values_list("external_id",
                                                                          flat=True))  # fmt: skip
    posted = [t["text"] for t in x_sim.app.posted_replies(ME)]
    seqs = client.seqs[team.pk]
    print(
        f"\nredis restart: down {up - stopped:.1f} s with {queued} replies queued; all "
        f"{len(external_ids)} messages and {REPLIES} replies done {recovered:.1f} s after it "
        f"came back; the WebSocket client had all {len(seqs)} events {caught_up:.1f} s after, "
        f"over {client.stats['connections']} connection(s); worker alive: {worker_alive}"
    )
    assert worker_alive, worker.output()[-3000:]
    assert queued > 0, "replies must have been waiting in Redis when it went down"
    assert len(external_ids) == len(set(external_ids)) == BEFORE + DURING
    assert sorted(posted) == sorted(r.text for r in replies)
    assert seqs == list(range(client.start_seq[team.pk] + 1, head + 1))  # all, once, in order
    assert account.pk


def _stored() -> int:
    return Message.objects.filter(direction="in").count()


def _sent(replies: list[Message]) -> int:
    return Message.objects.filter(
        pk__in=[r.pk for r in replies], delivery_state=DeliveryState.SENT
    ).count()


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)


class LiveClient:
    """A browser's live connection in a thread: pings every second, reconnects with the last
    seq it applied when the connection drops, records every event's seq."""

    def __init__(self, server: AsgiServer, cookie: str) -> None:
        self.server, self.cookie = server, cookie
        self.seqs: dict[int, list[int]] = {}
        self.start_seq: dict[int, int] = {}
        self.last: dict[int, int] = {}
        self.stats: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self.start_seq:
            if time.monotonic() > deadline:
                raise AssertionError(f"the live client never caught up: {dict(self.stats)}")
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def wait_for_seq(self, team_id: int, head: int, timeout: float) -> None:
        _wait(lambda: self.last.get(team_id, 0) >= head, timeout, f"the client to reach {head}")

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                async with dial(self.server, self.cookie) as ws:
                    self.stats["connections"] += 1
                    hello = {"type": "hello", **({"last_seq": self.last} if self.last else {})}
                    await ws.send(json.dumps(hello))
                    await self._session(ws)
            except (ConnectionClosed, InvalidStatus, OSError, TimeoutError):
                self.stats["drops"] += 1
                await asyncio.sleep(0.5)

    async def _session(self, ws: Any) -> None:
        while not self._stop.is_set():
            try:
                async with asyncio.timeout(1.0):
                    frame = json.loads(await ws.recv())
            except TimeoutError:
                await ws.send(json.dumps({"type": "ping"}))
                continue
            kind = frame["type"]
            self.stats[kind] += 1
            if kind == "caught_up":
                for team, seq in frame["last_seq"].items():
                    self.start_seq.setdefault(int(team), seq)
                    self.last[int(team)] = max(self.last.get(int(team), 0), seq)
            elif kind == "events":
                team = frame["team_id"]
                for event in frame["events"]:
                    self.seqs.setdefault(team, []).append(event["seq"])
                    self.last[team] = event["seq"]
            elif kind == "resync":
                raise AssertionError(f"a resync means events were skipped: {frame}")


@pytest.fixture(autouse=True)
def _close_db_after() -> Iterator[None]:
    yield
    connection.close()
