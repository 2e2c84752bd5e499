"""Collision warnings, end to end: what one agent's client sees before sending while a
colleague types, replies and claims; and the server's refusal of a reply on a stale version."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from inbox.models import Message
from tests.conftest import api_client_for
from tests.web.live import connected, next_frame, run, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("channel_prefix")]


def reply(agent, conversation, body: str, version: int):
    return api_client_for(agent).post(
        f"/api/conversations/{conversation.pk}/reply",
        {"body": body, "version": version},
        format="json",
    )


def test_a_colleague_typing_then_replying_warns_and_a_stale_reply_is_refused(
    agent, colleague, conversation
):
    mette_cookie, lars_cookie = session_cookie(agent.user), session_cookie(colleague.user)
    opened_at = conversation.version  # the version Mette's composer was opened on

    async def scenario() -> None:
        mette, lars = await connected(mette_cookie), await connected(lars_cookie)
        typing = {"type": "presence", "conversation_id": conversation.pk, "state": "typing"}
        await lars.send_json_to(typing)

        # Warning 1: someone else is typing a reply here.
        seen = await next_frame(mette)
        assert (seen["type"], seen["state"], seen["mode"]) == ("presence", "typing", "reply")
        assert seen["agent"]["id"] == colleague.pk

        answered = await sync_to_async(reply)(colleague, conversation, "Svar fra Lars", opened_at)
        assert answered.status_code == 201

        # Warning 2 and 3: someone else replied meanwhile, and now owns the conversation.
        [event] = (await next_frame(mette))["events"]
        assert event["kind"] == "reply.created"
        assert event["message"]["author_agent"]["id"] == colleague.pk
        assert event["conversation"]["version"] > opened_at
        assert event["conversation"]["assignee"]["id"] == colleague.pk

        # Sending on the old version anyway is refused, and nothing is stored.
        refused = await sync_to_async(reply)(agent, conversation, "Svar fra Mette", opened_at)
        assert refused.status_code == 409
        error = refused.json()["error"]
        assert error["code"] == "stale_version"
        assert error["details"]["current_version"] == event["conversation"]["version"]
        count = await sync_to_async(Message.objects.filter(text__startswith="Svar fra").count)()
        assert count == 1

        # "Send anyway", on the version the warning showed, goes through.
        again = await sync_to_async(reply)(
            agent, conversation, "Svar fra Mette", event["conversation"]["version"]
        )
        assert again.status_code == 201
        for socket in (mette, lars):
            await socket.disconnect()

    run(scenario)
