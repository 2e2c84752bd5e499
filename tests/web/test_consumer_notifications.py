"""The agent's notification stream on /ws/inbox (issue #17; docs/realtime.md): live, in seq
order, each once; replayed after a reconnect from ``notifications_seq``; a lost ring made good
by the next ping; too much missed is a ``notifications_resync``."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from inbox.selectors import notifications as notification_selectors
from inbox.services import note_create
from inbox.services import notifications as notification_service
from tests.web.live import connected, frames_until, next_frame, opened, run, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("channel_prefix")]


def mention(author, someone, conversation, times: int = 1) -> None:
    for _ in range(times):
        note_create(
            user=author.user, conversation_id=conversation.pk, body=f"@{someone.user.username}"
        )


def seqs(frames) -> list[int]:
    return [n["seq"] for f in frames if f["type"] == "notifications" for n in f["notifications"]]


def test_a_mention_reaches_the_colleague_of_another_team_live(agent, outsider, conversation):
    cookie = session_cookie(outsider.user)

    async def scenario() -> None:
        socket = await connected(cookie)
        await sync_to_async(mention)(agent, outsider, conversation)
        frame = await next_frame(socket)
        assert frame["type"] == "notifications"
        (item,) = frame["notifications"]
        assert (item["seq"], item["kind"], item["conversation_id"]) == (
            1, "mention", conversation.pk
        )  # fmt: skip
        assert item["actor"]["public_name"] == agent.public_name
        assert await socket.receive_nothing(timeout=0.3)  # no events of a team not theirs
        await socket.disconnect()

    run(scenario)


def test_a_reconnect_replays_exactly_what_was_missed(agent, outsider, conversation):
    cookie = session_cookie(outsider.user)
    mention(agent, outsider, conversation, times=2)

    async def scenario() -> None:
        await sync_to_async(mention)(agent, outsider, conversation, 3)  # seqs 3, 4, 5
        socket = await connected(cookie)  # without notifications_seq: from the head
        await sync_to_async(mention)(agent, outsider, conversation)
        assert seqs([await next_frame(socket)]) == [6]
        await socket.disconnect()

    run(scenario)

    async def replay() -> None:
        socket = await opened(cookie)
        await socket.send_json_to({"type": "hello", "notifications_seq": 2})
        frames = await frames_until(socket, "caught_up")
        assert seqs(frames) == [3, 4, 5, 6]
        assert frames[-1]["notifications_seq"] == 6
        await socket.disconnect()

    run(replay)


def test_a_lost_ring_is_made_good_by_the_next_ping(agent, outsider, conversation, monkeypatch):
    cookie = session_cookie(outsider.user)

    async def scenario() -> None:
        socket = await connected(cookie)
        monkeypatch.setattr(notification_service, "ring", lambda rows: None)  # the layer lost it
        await sync_to_async(mention)(agent, outsider, conversation)
        assert await socket.receive_nothing(timeout=0.3)
        await socket.send_json_to({"type": "ping", "id": 1})
        frames = await frames_until(socket, "notifications")
        assert seqs(frames) == [1]
        await socket.disconnect()

    run(scenario)


def test_too_much_missed_is_a_resync(agent, outsider, conversation, monkeypatch):
    monkeypatch.setattr(notification_selectors, "CATCH_UP_MAX", 2)
    cookie = session_cookie(outsider.user)
    mention(agent, outsider, conversation, times=4)

    async def scenario() -> None:
        socket = await opened(cookie)
        await socket.send_json_to({"type": "hello", "notifications_seq": 0})
        frames = await frames_until(socket, "caught_up")
        assert {"type": "notifications_resync", "head_seq": 4} in frames
        assert frames[-1]["notifications_seq"] == 4
        await socket.disconnect()

    run(scenario)
