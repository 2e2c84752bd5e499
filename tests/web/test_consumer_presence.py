"""Presence: who views a conversation and who is typing in it, shown to the rest of the team."""

from __future__ import annotations

import pytest

from inbox.services import messages_ingest
from tests.factories import inbound
from tests.web.live import connected, next_frame, run, session_cookie
from web.ws import protocol

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("channel_prefix")]


def presence(conversation, state: str, **extra: str) -> dict:
    return {"type": "presence", "conversation_id": conversation.pk, "state": state, **extra}


def test_viewing_and_typing_reach_the_team_but_not_the_sender_nor_other_teams(
    agent, colleague, outsider, team, conversation
):
    cookies = [session_cookie(a.user) for a in (agent, colleague, outsider)]

    async def scenario() -> None:
        mette, lars, ole = [await connected(c) for c in cookies]

        await mette.send_json_to(presence(conversation, "viewing"))
        seen = await next_frame(lars)
        assert seen == {
            "type": "presence",
            "conversation_id": conversation.pk,
            "team_id": team.pk,
            "agent": {"id": agent.pk, "public_name": "Mette Jensen", "initials": "MJ"},
            "state": "viewing",
            "mode": None,
            "ttl": protocol.PRESENCE_TTL,
        }

        await mette.send_json_to(presence(conversation, "typing", mode="note"))
        typing = await next_frame(lars)
        assert (typing["state"], typing["mode"]) == ("typing", "note")

        await mette.send_json_to(presence(conversation, "typing"))
        assert (await next_frame(lars))["mode"] == "reply"  # a reply unless told otherwise

        assert await mette.receive_nothing(timeout=0.3)  # no echo to the sender
        assert await ole.receive_nothing(timeout=0.3)  # another team hears nothing
        for socket in (mette, lars, ole):
            await socket.disconnect()

    run(scenario)


def test_leaving_and_disconnecting_tell_the_others(agent, colleague, conversation):
    cookies = [session_cookie(a.user) for a in (agent, colleague)]

    async def scenario() -> None:
        mette, lars = [await connected(c) for c in cookies]
        await mette.send_json_to(presence(conversation, "typing", mode="reply"))
        assert (await next_frame(lars))["state"] == "typing"

        await mette.send_json_to(presence(conversation, "left"))
        assert (await next_frame(lars))["state"] == "left"

        await mette.send_json_to(presence(conversation, "viewing"))
        assert (await next_frame(lars))["state"] == "viewing"
        await mette.disconnect()  # a closed tab leaves every conversation it showed
        gone = await next_frame(lars)
        assert (gone["state"], gone["agent"]["id"]) == ("left", agent.pk)
        await lars.disconnect()

    run(scenario)


def test_one_connection_holds_a_bounded_number_of_presences(
    agent, x_account, conversation, monkeypatch
):
    monkeypatch.setattr(protocol, "PRESENCE_BURST", 100)  # this test is about the count
    messages_ingest(
        account_id=x_account.pk,
        messages=[
            inbound(thread=f"busy-{i}", external_id=f"p{i}", author=f"c{i}")
            for i in range(protocol.PRESENCE_PER_CONNECTION_MAX)
        ],
    )
    ids = sorted(x_account.conversations.values_list("id", flat=True))
    cookie = session_cookie(agent.user)

    async def scenario() -> None:
        socket = await connected(cookie)
        for conversation_id in ids[: protocol.PRESENCE_PER_CONNECTION_MAX]:
            await socket.send_json_to(
                {"type": "presence", "conversation_id": conversation_id, "state": "viewing"}
            )
        await socket.send_json_to(
            {"type": "presence", "conversation_id": ids[-1], "state": "viewing"}
        )
        assert (await next_frame(socket))["code"] == "too_many_presences"
        await socket.disconnect()

    run(scenario)


def test_a_flood_of_presence_frames_is_cut_to_the_budget(agent, colleague, conversation):
    cookies = [session_cookie(a.user) for a in (agent, colleague)]
    flood = protocol.PRESENCE_BURST * 3

    async def scenario() -> None:
        mette, lars = [await connected(c) for c in cookies]
        for _ in range(flood):
            await mette.send_json_to(presence(conversation, "typing"))
        refusals = [await next_frame(mette) for _ in range(flood - protocol.PRESENCE_BURST)]
        assert {f["code"] for f in refusals} == {"rate_limited"}
        broadcast = [await next_frame(lars) for _ in range(protocol.PRESENCE_BURST)]
        assert {f["state"] for f in broadcast} == {"typing"}
        assert await lars.receive_nothing(timeout=0.3)  # only the burst went out
        for socket in (mette, lars):
            await socket.disconnect()

    run(scenario)
