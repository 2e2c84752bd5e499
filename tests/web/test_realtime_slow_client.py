"""A client that stops reading while events flow, through a real uvicorn and real sockets:
the server closes it with 4408 once its backlog passes the limit, keeps its own memory
bounded, goes on serving the others on time, and the client loses nothing by reconnecting."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from django.db import connection
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from inbox.models import Team
from inbox.services import messages_ingest
from tests.factories import inbound
from tests.web.live import session_cookie
from tests.web.servers import AsgiServer
from tests.web.wsclient import dial, receive, receive_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("channel_prefix")]

OUTBOX_LIMIT = 200_000  # characters; the server's setting for this test
# One commit of 100 long customer messages in one conversation: one event of ~1 MB.
BATCH = 100
MESSAGE_BODY = 10_000
# The kernel buffers megabytes on loopback before the server sees a stall, so commits go on
# until the server reports the close, at most this many (~30 MB).
COMMITS_MAX = 30


@pytest.fixture
def server(
    channel_prefix: str, transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AsgiServer]:
    monkeypatch.setenv("SVAR_WS_OUTBOX_MAX_CHARS", str(OUTBOX_LIMIT))
    started = AsgiServer().start()
    yield started
    started.stop()


def _metric(server: AsgiServer, name: str) -> float:
    text = httpx.get(f"{server.origin}/metrics", timeout=5, trust_env=False).text
    found = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    assert found, f"{name} not in /metrics"
    return float(found.group(1))


class Writer(threading.Thread):
    """Large commits one after another until the server has closed the stalled client;
    samples the server's backlog gauge after each."""

    def __init__(self, server: AsgiServer, account_id: int, team_id: int) -> None:
        super().__init__(daemon=True)
        self.server, self.account_id, self.team_id = server, account_id, team_id
        self.head = 0
        self.backlogs: list[float] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for n in range(COMMITS_MAX):
                batch = [
                    inbound(thread="t1", author=f"c{n}", body=f"{n}.{k} " + "x" * MESSAGE_BODY)
                    for k in range(BATCH)
                ]
                messages_ingest(account_id=self.account_id, messages=batch)
                self.backlogs.append(_metric(self.server, "svar_websocket_backlog_chars"))
                if _metric(self.server, "svar_websocket_closed_too_slow_total") >= 1:
                    break
        except BaseException as error:  # surfaced by the test
            self.error = error
        finally:
            self.head = Team.objects.get(pk=self.team_id).event_seq
            connection.close()


async def _read_until_closed(ws) -> tuple[list[int], int | None]:
    """The seqs a connection still delivers, and the close code the server sent."""
    seqs: list[int] = []
    try:
        while True:
            async with asyncio.timeout(10):
                seqs += _seqs(json.loads(await ws.recv()))
    except ConnectionClosed as closed:
        return seqs, closed.rcvd.code if closed.rcvd else None


def _seqs(frame: dict) -> list[int]:
    return [e["seq"] for e in frame["events"]] if frame["type"] == "events" else []


def test_a_client_that_stops_reading_is_closed_bounded_and_loses_nothing(
    server, agent, colleague, team, x_account, conversation
):
    slow_cookie, fast_cookie = session_cookie(agent.user), session_cookie(colleague.user)

    async def scenario() -> None:
        # A small receive buffer and a short client queue: the stall reaches the server soon.
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", server.port))
        slow = await connect(
            server.ws_url, sock=sock, origin=server.origin,
            additional_headers={"Cookie": slow_cookie}, proxy=None, max_size=None,
            max_queue=2, open_timeout=5, close_timeout=1,
            compression=None,  # deflate would shrink these repetitive frames to nothing
        )  # fmt: skip
        async with dial(server, fast_cookie) as fast:
            for ws in (slow, fast):
                await ws.send('{"type": "hello"}')
                start = (await receive_until(ws, "caught_up"))[-1]["last_seq"][str(team.pk)]

            writer = Writer(server, x_account.pk, team.pk)
            writer.start()
            # The reader gets every event, in order, while `slow` reads nothing at all.
            fast_seqs: list[int] = []
            deadline = time.monotonic() + 120
            while writer.is_alive() or (not fast_seqs or fast_seqs[-1] < writer.head):
                assert time.monotonic() < deadline, f"{fast_seqs[-3:]}, head {writer.head}"
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(1):
                        fast_seqs += _seqs(json.loads(await fast.recv()))
            assert writer.error is None
            expected = list(range(start + 1, writer.head + 1))
            assert fast_seqs == expected

            # The server gave up on `slow` instead of queueing megabytes for it: its queued
            # frames never passed the limit plus the one frame that found the queue full.
            assert _metric(server, "svar_websocket_closed_too_slow_total") == 1
            assert writer.backlogs
            assert max(writer.backlogs) <= OUTBOX_LIMIT + BATCH * (MESSAGE_BODY + 1_000)

            # `slow` reads again: what reached its buffers, then the close with 4408.
            slow_seqs, code = await _read_until_closed(slow)
            assert code == 4408
            assert len(slow_seqs) < len(expected)
            assert slow_seqs == expected[: len(slow_seqs)]

            # It reconnects from its last seq and gets exactly the rest from the log.
            last = slow_seqs[-1] if slow_seqs else start
            async with dial(server, slow_cookie) as again:
                await again.send(json.dumps({"type": "hello", "last_seq": {str(team.pk): last}}))
                frames = await receive_until(again, "caught_up")
            replayed = [s for f in frames for s in _seqs(f)]
            assert slow_seqs + replayed == expected

            # The reader was never disturbed: still live on the same connection.
            await fast.send('{"type": "ping", "id": 1}')
            assert (await receive(fast)) == {"type": "pong", "id": 1}

    asyncio.run(scenario())
