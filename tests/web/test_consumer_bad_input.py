"""What the live inbox refuses: strangers, foreign origins, bad frames, foreign teams."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User

from tests.web.live import (
    connected,
    next_frame,
    open_socket,
    opened,
    run,
    session_cookie,
)
from web.ws.consumer import CLOSE_FORBIDDEN, CLOSE_TOO_LARGE, CLOSE_UNAUTHENTICATED
from web.ws.protocol import FRAME_MAX_BYTES

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("channel_prefix")]


async def assert_still_serving(socket) -> None:
    await socket.send_json_to({"type": "ping", "id": "still-there"})
    assert await next_frame(socket) == {"type": "pong", "id": "still-there"}


def test_a_handshake_without_a_session_is_refused():
    async def scenario() -> None:
        _, ok, code = await open_socket(None)
        assert (ok, code) == (False, CLOSE_UNAUTHENTICATED)

    run(scenario)


def test_a_handshake_with_a_forged_session_is_refused(agent):
    async def scenario() -> None:
        _, ok, code = await open_socket("sessionid=not-a-session-anyone-was-given")
        assert (ok, code) == (False, CLOSE_UNAUTHENTICATED)

    run(scenario)


@pytest.mark.parametrize("origin", ["http://evil.example", "null", None])
def test_a_handshake_from_a_foreign_or_missing_origin_is_refused(agent, origin):
    cookie = session_cookie(agent.user)

    async def scenario() -> None:
        _, ok, _ = await open_socket(cookie, origin=origin)
        assert ok is False

    run(scenario)


def test_a_user_who_is_not_an_agent_is_refused():
    user = User.objects.create_user("besøgende", password="correct horse battery")
    cookie = session_cookie(user)

    async def scenario() -> None:
        _, ok, code = await open_socket(cookie)
        assert (ok, code) == (False, CLOSE_FORBIDDEN)

    run(scenario)


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "malformed_json"),
        ("[1, 2, 3]", "bad_frame"),
        ('{"type": 5}', "bad_frame"),
        ('{"type": "subscribe_everything"}', "unknown_type"),
        ('{"type": "hello", "last_seq": [1]}', "bad_field"),
        ('{"type": "hello", "last_seq": {"1": -1}}', "bad_field"),
        ('{"type": "hello", "last_seq": {"one": 1}}', "bad_field"),
        ('{"type": "hello", "last_seq": {"1": true}}', "bad_field"),
        ('{"type": "hello", "teams": "all"}', "bad_field"),
        ('{"type": "ping", "id": {"nested": 1}}', "bad_field"),
        ('{"type": "presence", "conversation_id": "7", "state": "viewing"}', "bad_field"),
        ('{"type": "presence", "conversation_id": 7, "state": "dancing"}', "bad_field"),
        ('{"type": "presence", "conversation_id": 7, "state": "typing", "mode": "x"}', "bad_field"),
    ],
)
def test_a_malformed_frame_gets_an_error_and_the_connection_stays(agent, frame, code):
    cookie = session_cookie(agent.user)

    async def scenario() -> None:
        socket = await opened(cookie)
        await socket.send_to(text_data=frame)
        error = await next_frame(socket)
        assert error["type"] == "error"
        assert error["code"] == code
        assert error["message"]
        await assert_still_serving(socket)
        await socket.disconnect()

    run(scenario)


def test_a_binary_frame_gets_an_error_and_the_connection_stays(agent):
    cookie = session_cookie(agent.user)

    async def scenario() -> None:
        socket = await opened(cookie)
        await socket.send_to(bytes_data=b"\x00\x01")
        assert (await next_frame(socket))["code"] == "binary_unsupported"
        await assert_still_serving(socket)
        await socket.disconnect()

    run(scenario)


def test_an_oversized_frame_gets_an_error_then_a_clean_close(agent):
    cookie = session_cookie(agent.user)
    huge = json.dumps({"type": "ping", "id": "x" * FRAME_MAX_BYTES})

    async def scenario() -> None:
        socket = await opened(cookie)
        await socket.send_to(text_data=huge)
        error = await next_frame(socket)
        assert (error["code"], error["limit"]) == ("frame_too_large", FRAME_MAX_BYTES)
        assert await socket.receive_output(timeout=3) == {
            "type": "websocket.close",
            "code": CLOSE_TOO_LARGE,
        }

    run(scenario)


def test_a_team_the_user_is_not_in_is_refused_and_nothing_is_subscribed(agent, team, other_team):
    cookie = session_cookie(agent.user)

    async def scenario() -> None:
        socket = await opened(cookie)
        await socket.send_json_to({"type": "hello", "teams": [team.pk, other_team.pk]})
        error = await next_frame(socket)
        assert (error["code"], error["team_ids"]) == ("team_not_visible", [other_team.pk])
        # Claiming a position in a foreign team's log is the same refusal.
        await socket.send_json_to({"type": "hello", "last_seq": {str(other_team.pk): 3}})
        assert (await next_frame(socket))["team_ids"] == [other_team.pk]
        # A corrected hello is accepted on the same connection.
        await socket.send_json_to({"type": "hello", "teams": [team.pk]})
        assert (await next_frame(socket))["teams"] == [team.pk]
        await socket.disconnect()

    run(scenario)


def test_a_second_hello_is_refused(agent):
    cookie = session_cookie(agent.user)

    async def scenario() -> None:
        socket = await connected(cookie)
        await socket.send_json_to({"type": "hello"})
        assert (await next_frame(socket))["code"] == "already_subscribed"
        await assert_still_serving(socket)
        await socket.disconnect()

    run(scenario)


def test_presence_in_a_conversation_the_user_cannot_see_is_refused(outsider, conversation):
    cookie = session_cookie(outsider.user)

    async def scenario() -> None:
        socket = await connected(cookie)
        await socket.send_json_to(
            {"type": "presence", "conversation_id": conversation.pk, "state": "viewing"}
        )
        error = await next_frame(socket)
        assert (error["code"], error["conversation_id"]) == (
            "conversation_not_found",
            conversation.pk,
        )
        await assert_still_serving(socket)
        await socket.disconnect()

    run(scenario)
