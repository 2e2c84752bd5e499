"""A mentioned colleague of another team follows that one conversation live (issue #17;
docs/realtime.md, "Guests"): its events in the team's seq order, each once, nothing else of
the team; replayed after a dropped socket; a lost doorbell made good by the next ping; and the
stream ends at the withdrawal of the grant, so nothing the team does afterwards reaches them."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from inbox.events import log
from inbox.models import Conversation, InboxEvent, Team
from inbox.services import messages_ingest, note_create, reply_create
from inbox.services.grants import conversation_grant_revoke
from tests.factories import inbound
from tests.web.live import connected, frames_until, next_frame, opened, run, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("channel_prefix")]


@pytest.fixture
def guest(agent, outsider, conversation):
    note_create(
        user=agent.user, conversation_id=conversation.pk, body=f"@{outsider.user.username} hjælp"
    )
    return outsider


def head(conversation) -> int:
    return Team.objects.get(pk=conversation.team_id).event_seq


def guest_seqs(frames, conversation) -> list[int]:
    return [
        e["seq"]
        for f in frames
        if f["type"] == "guest_events" and f["conversation_id"] == conversation.pk
        for e in f["events"]
    ]


def elsewhere(x_account) -> None:
    """Another customer of the same team writes: an event the guest must never see."""
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="t2", body="Andet emne")])


def test_the_guest_gets_that_conversations_events_live_and_nothing_else(
    agent, guest, conversation, x_account
):
    cookie = session_cookie(guest.user)
    start = head(conversation)

    async def scenario() -> None:
        socket = await opened(cookie)
        await socket.send_json_to({"type": "hello", "guest": {str(conversation.pk): start}})
        frames = await frames_until(socket, "caught_up")
        assert frames[-1]["guest"] == {str(conversation.pk): start}
        assert guest_seqs(frames, conversation) == []
        await sync_to_async(elsewhere)(x_account)
        await sync_to_async(note_create)(
            user=agent.user, conversation_id=conversation.pk, body="Kan du se den?"
        )
        frame = await next_frame(socket)
        assert frame["type"] == "guest_events"
        (event,) = frame["events"]
        assert (event["kind"], event["conversation"]["id"]) == ("note.created", conversation.pk)
        assert event["seq"] == start + 2  # the other conversation's event was seq start + 1
        assert event["note"]["body"] == "Kan du se den?"
        await socket.send_json_to({"type": "ping", "id": 1})
        assert (await next_frame(socket))["type"] == "pong"
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    run(scenario)


def test_a_reconnect_replays_exactly_the_conversations_missed_events(
    agent, guest, conversation, x_account
):
    cookie = session_cookie(guest.user)
    start = head(conversation)
    note_create(user=agent.user, conversation_id=conversation.pk, body="Første")
    elsewhere(x_account)
    reply_create(user=agent.user, conversation_id=conversation.pk, body="Svar til kunden")
    mine = list(
        InboxEvent.objects.filter(conversation=conversation, seq__gt=start)
        .order_by("seq")
        .values_list("seq", flat=True)
    )

    async def scenario() -> None:
        socket = await opened(cookie)
        await socket.send_json_to({"type": "hello", "guest": {str(conversation.pk): start}})
        frames = await frames_until(socket, "caught_up")
        assert guest_seqs(frames, conversation) == mine
        assert [e["kind"] for f in frames if f["type"] == "guest_events" for e in f["events"]] == [
            "note.created", "reply.created"
        ]  # fmt: skip
        assert all(f["type"] != "events" for f in frames)  # not the team's stream
        assert frames[-1]["guest"] == {str(conversation.pk): head(conversation)}
        await socket.disconnect()

    run(scenario)


def test_following_after_hello_replays_then_answers_following(agent, guest, conversation):
    cookie = session_cookie(guest.user)
    start = head(conversation)
    note_create(user=agent.user, conversation_id=conversation.pk, body="Før du kom")

    async def scenario() -> None:
        socket = await connected(cookie)
        await socket.send_json_to(
            {"type": "follow", "conversation_id": conversation.pk, "last_seq": start}
        )
        frames = await frames_until(socket, "following")
        assert guest_seqs(frames, conversation) == [start + 1]
        assert frames[-1] == {
            "type": "following",
            "conversation_id": conversation.pk,
            "last_seq": start + 1,
        }
        await socket.disconnect()

    run(scenario)


@pytest.mark.parametrize("how", ["hello", "follow"])
def test_a_conversation_without_a_grant_cannot_be_followed(outsider, conversation, how):
    cookie = session_cookie(outsider.user)  # of another team, never mentioned

    async def scenario() -> None:
        socket = await opened(cookie)
        if how == "hello":
            await socket.send_json_to({"type": "hello", "guest": {str(conversation.pk): 0}})
        else:
            await frames_until_hello(socket)
            await socket.send_json_to(
                {"type": "follow", "conversation_id": conversation.pk, "last_seq": 0}
            )
        frame = await next_frame(socket)
        assert frame["type"] == "error"
        assert frame["code"] == "conversation_not_found"
        assert frame["conversation_ids"] == [conversation.pk]
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    run(scenario)


async def frames_until_hello(socket) -> None:
    await socket.send_json_to({"type": "hello"})
    await frames_until(socket, "caught_up")


def test_the_stream_ends_at_the_withdrawal(agent, guest, conversation):
    cookie = session_cookie(guest.user)

    async def scenario() -> None:
        socket = await connected(cookie, guest={str(conversation.pk): head(conversation)})
        await sync_to_async(conversation_grant_revoke)(
            user=agent.user, conversation_id=conversation.pk, agent_id=guest.pk
        )
        frame = await next_frame(socket)
        assert frame == {
            "type": "guest_ended",
            "conversation_id": conversation.pk,
            "reason": "revoked",
        }
        await sync_to_async(note_create)(
            user=agent.user, conversation_id=conversation.pk, body="Efter tilbagekaldelsen"
        )
        await socket.send_json_to({"type": "ping", "id": 2})
        assert (await next_frame(socket))["type"] == "pong"
        assert await socket.receive_nothing(timeout=0.5)
        await socket.disconnect()

    run(scenario)


def test_lost_doorbells_are_read_at_the_next_ping_up_to_the_withdrawal(
    agent, guest, conversation, monkeypatch
):
    cookie = session_cookie(guest.user)
    start = head(conversation)

    async def scenario() -> None:
        socket = await connected(cookie, guest={str(conversation.pk): start})
        monkeypatch.setattr(log.doorbell, "ring", lambda rows: None)  # the layer lost them all

        def team_work() -> None:
            note_create(user=agent.user, conversation_id=conversation.pk, body="Før")
            conversation_grant_revoke(
                user=agent.user, conversation_id=conversation.pk, agent_id=guest.pk
            )
            note_create(user=agent.user, conversation_id=conversation.pk, body="Efter")

        await sync_to_async(team_work)()
        assert await socket.receive_nothing(timeout=0.3)
        await socket.send_json_to({"type": "ping", "id": 3})
        frames = await frames_until(socket, "guest_ended")
        assert guest_seqs(frames, conversation) == [start + 1]
        assert "Efter" not in str(frames)
        await socket.disconnect()

    run(scenario)


def test_a_withdrawn_grant_cannot_be_followed_again(agent, guest, conversation):
    cookie = session_cookie(guest.user)
    start = head(conversation)
    conversation_grant_revoke(user=agent.user, conversation_id=conversation.pk, agent_id=guest.pk)
    assert Conversation.objects.filter(pk=conversation.pk).exists()

    async def scenario() -> None:
        socket = await opened(cookie)
        await socket.send_json_to({"type": "hello", "guest": {str(conversation.pk): start}})
        frame = await next_frame(socket)
        assert (frame["type"], frame["code"]) == ("error", "conversation_not_found")
        await socket.disconnect()

    run(scenario)
