"""The live stream over WebsocketCommunicator: hello, live events, catch-up, resync, de-dup."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from inbox.events import doorbell
from inbox.events import replay as event_replay
from inbox.models import InboxEvent, Team
from inbox.services import conversation_assign, conversation_claim, conversation_tag, note_create
from tests.web.live import (
    connected,
    frames_until,
    next_frame,
    opened,
    run,
    seqs,
    session_cookie,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("channel_prefix")]


def tag(agent, conversation, *names: str) -> None:
    conversation_tag(user=agent.user, conversation_id=conversation.pk, add=list(names))


def head(team: Team) -> int:
    team.refresh_from_db()
    return team.event_seq


def test_a_fresh_client_starts_at_the_head_and_then_receives_each_commit(agent, team, conversation):
    cookie = session_cookie(agent.user)
    start = head(team)

    async def scenario() -> None:
        socket = await opened(cookie)
        await socket.send_json_to({"type": "hello"})
        welcome, caught_up = await next_frame(socket), await next_frame(socket)
        assert welcome["type"] == "welcome"
        assert welcome["teams"] == [team.pk]
        assert welcome["agent"]["public_name"] == "Mette Jensen"
        assert caught_up == {
            "type": "caught_up", "last_seq": {str(team.pk): start}, "notifications_seq": 0
        }  # fmt: skip

        await sync_to_async(tag)(agent, conversation, "mitid")

        frame = await next_frame(socket)
        assert frame["type"] == "events"
        assert frame["team_id"] == team.pk
        [event] = frame["events"]
        assert event["seq"] == start + 1
        assert event["kind"] == "conversation.tagged"
        assert event["conversation"]["tags"] == ["mitid"]
        assert event["conversation"]["version"] == conversation.version + 1
        await socket.disconnect()

    run(scenario)


def test_a_returning_client_gets_exactly_what_it_missed_in_order(agent, team, conversation):
    cookie = session_cookie(agent.user)
    seen = head(team)
    for name in ("a", "b", "c"):
        tag(agent, conversation, name)

    async def scenario() -> None:
        socket = await opened(cookie)
        await socket.send_json_to({"type": "hello", "last_seq": {str(team.pk): seen}})
        frames = await frames_until(socket, "caught_up")
        assert seqs(frames) == [seen + 1, seen + 2, seen + 3]
        assert frames[-1]["last_seq"] == {str(team.pk): seen + 3}
        await socket.disconnect()

    run(scenario)


def test_a_replayed_event_is_the_event_that_was_sent_live(agent, team, conversation):
    cookie = session_cookie(agent.user)
    seen = head(team)

    async def scenario() -> None:
        live = await connected(cookie)
        await sync_to_async(note_create)(
            user=agent.user, conversation_id=conversation.pk, body='Æblegrød & "citat"'
        )
        [sent_live] = (await next_frame(live))["events"]
        replay = await opened(cookie)
        await replay.send_json_to({"type": "hello", "last_seq": {str(team.pk): seen}})
        [replayed] = [
            e for f in await frames_until(replay, "caught_up") for e in f.get("events", [])
        ]
        assert datetime.fromisoformat(replayed.pop("created_at")) == datetime.fromisoformat(
            sent_live.pop("created_at")
        )
        assert replayed == sent_live
        for socket in (live, replay):
            await socket.disconnect()

    run(scenario)


def test_a_client_from_the_future_is_told_to_resync_at_the_real_head(agent, team, conversation):
    cookie = session_cookie(agent.user)
    real = head(team)

    async def scenario() -> None:
        socket = await opened(cookie)
        await socket.send_json_to({"type": "hello", "last_seq": {str(team.pk): real + 50}})
        frames = await frames_until(socket, "caught_up")
        resync = [f for f in frames if f["type"] == "resync"]
        assert resync == [
            {"type": "resync", "team_id": team.pk, "reason": "ahead_of_server", "head_seq": real}
        ]
        assert frames[-1]["last_seq"] == {str(team.pk): real}
        # and the stream goes on from the real head
        await sync_to_async(tag)(agent, conversation, "efter")
        assert seqs([await next_frame(socket)]) == [real + 1]
        await socket.disconnect()

    run(scenario)


def test_a_client_further_behind_than_the_cap_is_told_to_resync(
    agent, team, conversation, monkeypatch
):
    monkeypatch.setattr(event_replay, "REPLAY_MAX_EVENTS", 2)
    cookie = session_cookie(agent.user)
    seen = head(team)
    for name in ("a", "b", "c"):
        tag(agent, conversation, name)

    async def scenario() -> None:
        socket = await opened(cookie)
        await socket.send_json_to({"type": "hello", "last_seq": {str(team.pk): seen}})
        frames = await frames_until(socket, "caught_up")
        assert [f["type"] for f in frames] == ["welcome", "resync", "caught_up"]
        assert frames[1]["reason"] == "too_far_behind"
        assert frames[1]["head_seq"] == seen + 3
        assert seqs(frames) == []
        await socket.disconnect()

    run(scenario)


def test_events_older_than_the_retention_are_not_replayed(agent, team, conversation):
    cookie = session_cookie(agent.user)
    seen = head(team)
    tag(agent, conversation, "gammel")
    InboxEvent.objects.filter(team=team, seq=seen + 1).update(
        created_at=timezone.now() - event_replay.REPLAY_MAX_AGE - timedelta(minutes=1)
    )

    async def scenario() -> None:
        socket = await opened(cookie)
        await socket.send_json_to({"type": "hello", "last_seq": {str(team.pk): seen}})
        frames = await frames_until(socket, "caught_up")
        assert [(f["type"], f.get("reason")) for f in frames[1:-1]] == [("resync", "too_old")]
        await socket.disconnect()

    run(scenario)


def test_a_doorbell_overlapping_the_replay_is_delivered_once(agent, team, conversation):
    cookie = session_cookie(agent.user)
    seen = head(team)
    tag(agent, conversation, "a")
    tag(agent, conversation, "b")
    rows = list(InboxEvent.objects.filter(team=team, seq__gt=seen).order_by("seq"))

    async def scenario() -> None:
        socket = await connected(cookie, last_seq={str(team.pk): seen})
        # Both events again, as a late doorbell would bring them, then one new event.
        await sync_to_async(doorbell.ring)(rows)
        await sync_to_async(tag)(agent, conversation, "c")
        frame = await next_frame(socket)
        assert seqs([frame]) == [seen + 3]
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    run(scenario)


def test_a_lost_doorbell_is_filled_from_the_log_by_the_next_one(
    agent, team, conversation, monkeypatch
):
    cookie = session_cookie(agent.user)
    seen = head(team)
    real_ring = doorbell.ring

    async def scenario() -> None:
        socket = await connected(cookie, last_seq={str(team.pk): seen})
        monkeypatch.setattr(doorbell, "ring", lambda rows: None)  # the layer dropped it
        await sync_to_async(tag)(agent, conversation, "lost")
        monkeypatch.setattr(doorbell, "ring", real_ring)
        await sync_to_async(tag)(agent, conversation, "found")
        frame = await next_frame(socket)
        assert seqs([frame]) == [seen + 1, seen + 2]
        assert [e["conversation"]["tags"] for e in frame["events"]] == [
            ["lost"],
            ["found", "lost"],
        ]
        await socket.disconnect()

    run(scenario)


def test_a_lost_doorbell_with_nothing_after_it_is_filled_on_the_next_ping(
    agent, team, conversation, monkeypatch
):
    cookie = session_cookie(agent.user)
    seen = head(team)

    async def scenario() -> None:
        socket = await connected(cookie, last_seq={str(team.pk): seen})
        monkeypatch.setattr(doorbell, "ring", lambda rows: None)
        await sync_to_async(tag)(agent, conversation, "stille")
        await socket.send_json_to({"type": "ping", "id": 7})
        assert await next_frame(socket) == {"type": "pong", "id": 7}
        assert seqs([await next_frame(socket)]) == [seen + 1]
        await socket.disconnect()

    run(scenario)


def test_a_transaction_too_large_to_inline_is_read_from_the_log(
    agent, team, conversation, monkeypatch
):
    monkeypatch.setattr(doorbell, "DOORBELL_INLINE_MAX", 0)
    cookie = session_cookie(agent.user)
    seen = head(team)

    async def scenario() -> None:
        socket = await connected(cookie, last_seq={str(team.pk): seen})
        await sync_to_async(note_create)(
            user=agent.user, conversation_id=conversation.pk, body="Ring tilbage i morgen"
        )
        [event] = (await next_frame(socket))["events"]
        assert event["seq"] == seen + 1
        assert event["note"]["body"] == "Ring tilbage i morgen"
        await socket.disconnect()

    run(scenario)


def test_an_admin_streams_every_team_and_an_agent_only_their_own(
    agent, outsider, admin_agent, team, other_team, conversation
):
    agent_cookie, outsider_cookie = session_cookie(agent.user), session_cookie(outsider.user)
    admin_cookie = session_cookie(admin_agent.user)

    async def scenario() -> None:
        admin = await connected(admin_cookie)
        mine = await connected(agent_cookie)
        theirs = await connected(outsider_cookie)
        await sync_to_async(tag)(agent, conversation, "skat")
        assert (await next_frame(admin))["team_id"] == team.pk
        assert (await next_frame(mine))["team_id"] == team.pk
        assert await theirs.receive_nothing(timeout=0.3)
        for socket in (admin, mine, theirs):
            await socket.disconnect()

    run(scenario)


def test_an_agent_given_a_conversation_by_someone_else_gets_a_notice_of_their_own(
    agent, colleague, team, conversation
):
    mette_cookie, lars_cookie = session_cookie(agent.user), session_cookie(colleague.user)

    async def scenario() -> None:
        mette, lars = await connected(mette_cookie), await connected(lars_cookie)
        await sync_to_async(conversation_assign)(
            user=colleague.user, conversation_id=conversation.pk, assignee_id=agent.pk
        )
        # The team's event, the notice, and the durable notification (issue #17), which come
        # through different groups in no fixed order.
        frames = {f["type"]: f for f in [await next_frame(mette) for _ in range(3)]}
        assert sorted(frames) == ["events", "notice", "notifications"]
        assert frames["notifications"]["notifications"][0]["kind"] == "assigned_to_me"
        notice = frames["notice"]
        assert notice["kind"] == "assigned_to_you"
        assert notice["by_agent_id"] == colleague.pk
        assert notice["seq"] == frames["events"]["events"][0]["seq"]
        assert notice["conversation"]["assignee"]["id"] == agent.pk
        assert (await next_frame(lars))["type"] == "events"
        assert await lars.receive_nothing(timeout=0.3)  # the one who assigned gets no notice

        await sync_to_async(conversation_claim)(
            user=colleague.user, conversation_id=conversation.pk
        )
        assert (await next_frame(lars))["type"] == "events"
        assert await lars.receive_nothing(timeout=0.3)  # claiming for oneself: no notice
        for socket in (mette, lars):
            await socket.disconnect()

    run(scenario)
