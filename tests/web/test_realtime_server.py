"""The live inbox through real uvicorn processes and a real WebSocket client."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from django.db import connection
from websockets.exceptions import InvalidStatus

from inbox.services import conversation_tag
from tests.web.live import session_cookie
from tests.web.servers import AsgiServer
from tests.web.wsclient import dial, receive, receive_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("channel_prefix")]


@pytest.fixture
def servers(channel_prefix: str, transactional_db: None) -> Iterator[list[AsgiServer]]:
    """Two ASGI processes sharing one Redis, as `compose up --scale web=2` runs them."""
    started = [AsgiServer().start(), AsgiServer().start()]
    yield started
    for server in started:
        server.stop()


def in_thread(function, *args, **kwargs) -> None:
    """Run ORM work off the event loop's thread, as a worker process would."""

    def work() -> None:
        try:
            function(*args, **kwargs)
        finally:
            connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()


def test_the_handshake_needs_a_session_and_an_allowed_origin(servers, agent):
    server = servers[0]
    cookie = session_cookie(agent.user)

    async def scenario() -> None:
        with pytest.raises(InvalidStatus) as no_session:
            async with dial(server, None):
                pass
        assert no_session.value.response.status_code == 403
        with pytest.raises(InvalidStatus) as foreign:
            async with dial(server, cookie, origin="https://evil.example"):
                pass
        assert foreign.value.response.status_code == 403
        async with dial(server, cookie) as ws:
            await ws.send('{"type": "hello"}')
            assert (await receive(ws))["type"] == "welcome"

    asyncio.run(scenario())


def test_an_event_committed_anywhere_reaches_agents_on_every_process(
    servers, agent, colleague, team, conversation
):
    mette_cookie, lars_cookie = session_cookie(agent.user), session_cookie(colleague.user)

    async def scenario() -> None:
        async with dial(servers[0], mette_cookie) as mette, dial(servers[1], lars_cookie) as lars:
            for ws in (mette, lars):
                await ws.send('{"type": "hello"}')
                await receive_until(ws, "caught_up")

            await asyncio.to_thread(
                in_thread, conversation_tag,
                user=agent.user, conversation_id=conversation.pk, add=["begge"],
            )  # fmt: skip

            for ws in (mette, lars):
                frame = await receive(ws)
                assert frame["events"][0]["conversation"]["tags"] == ["begge"]

            # Presence crosses processes the same way.
            await mette.send(
                f'{{"type":"presence","conversation_id":{conversation.pk},'
                f'"state":"typing","mode":"reply"}}'
            )
            typing = await receive(lars)
            assert (typing["type"], typing["agent"]["id"]) == ("presence", agent.pk)

    asyncio.run(scenario())
