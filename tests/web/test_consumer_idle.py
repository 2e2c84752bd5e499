"""An idle consumer keeps its channel-layer subscription (docs/architecture.md §5: redis-py 8
would otherwise time its blocking read out after 5 s, and the consumer would hear nothing more)."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer

from inbox.services import conversation_tag
from tests.web.live import connected, next_frame, run, session_cookie

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("channel_prefix"),
    pytest.mark.slow,
]

IDLE_SECONDS = 65


def test_a_consumer_idle_for_over_a_minute_still_receives_the_next_event(agent, team, conversation):
    assert isinstance(get_channel_layer(), RedisPubSubChannelLayer)  # real Redis, not InMemory
    cookie = session_cookie(agent.user)

    async def scenario() -> None:
        socket = await connected(cookie)
        await asyncio.sleep(IDLE_SECONDS)  # no frame either way: the blocking read just waits
        await sync_to_async(conversation_tag)(
            user=agent.user, conversation_id=conversation.pk, add=["efter-pausen"]
        )
        frame = await next_frame(socket)
        assert frame["events"][0]["conversation"]["tags"] == ["efter-pausen"]
        await socket.disconnect()

    run(scenario)
