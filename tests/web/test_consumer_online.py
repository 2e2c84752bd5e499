"""Who is online, for automatic assignment (issue #17): the live inbox's socket records its
agent as seen when it opens and at every ping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from inbox.models import AgentPresence
from tests.web.live import connected, frames_until, run, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("channel_prefix")]


def test_opening_the_inbox_and_every_ping_mark_the_agent_online(agent, team):
    cookie = session_cookie(agent.user)
    seen = sync_to_async(lambda: AgentPresence.objects.get(agent=agent).last_seen_at)
    stale = timezone.now() - timedelta(hours=1)

    async def scenario() -> None:
        socket = await connected(cookie)
        assert timezone.now() - await seen() < timedelta(seconds=10)
        await sync_to_async(AgentPresence.objects.filter(agent=agent).update)(last_seen_at=stale)
        await socket.send_json_to({"type": "ping", "id": 1})
        await frames_until(socket, "pong")
        assert await seen() > stale
        await socket.disconnect()

    run(scenario)
