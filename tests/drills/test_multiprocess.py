"""Two web processes and two workers on one PostgreSQL and one Redis, as
``compose up --scale web=2 --scale worker=2`` runs them: customers' messages polled by either
worker reach agents on both web processes live; replies sent through either web process are
delivered by a worker, posted once, and announced to both."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
import pytest
from rest_framework.authtoken.models import Token

from connectors.simulator import demo
from inbox.models import DeliveryState, Message
from inbox.services.accounts import channel_account_create
from tests.connectors.twitter_support import ME
from tests.web.live import session_cookie
from tests.web.wsclient import dial

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
MENTIONS = 40
DEADLINE = 90.0


def test_polling_delivery_and_live_events_work_across_processes(
    topology, x_sim, team, agent, colleague
):
    webs, workers = topology
    channel_account_create(
        platform="x", display_name="@skattefar", external_id=ME, team_name=team.name,
        token=demo.X_TOKEN, base_url=x_sim.base_url, poll_interval_seconds=5,
    )  # fmt: skip
    tokens = [Token.objects.create(user=a.user).key for a in (agent, colleague)]
    cookies = [session_cookie(agent.user), session_cookie(colleague.user)]

    async def scenario() -> dict[str, object]:
        async with dial(webs[0], cookies[0]) as mette, dial(webs[1], cookies[1]) as lars:
            sockets = [mette, lars]
            for ws in sockets:
                await ws.send('{"type": "hello"}')
            seen = [await _until(ws, "caught_up", {}) for ws in sockets]
            for n in range(MENTIONS):
                author = {"id": str(9000 + n), "username": f"kunde{n}", "name": f"Kunde {n}"}
                x_sim.app.add_mention(ME, author, f"Spørgsmål {n}")
            received = await asyncio.gather(
                *(_collect(ws, s, lambda s: len(s["received"]) >= MENTIONS) for ws, s in
                  zip(sockets, seen, strict=True))
            )  # fmt: skip
            ids = await asyncio.to_thread(_conversation_ids)
            # One reply through each web process, by REST with each agent's token.
            replies = []
            for web, token, conversation_id, body in zip(
                webs, tokens, ids[:2], ("Svar via web 1", "Svar via web 2"), strict=True
            ):
                async with httpx.AsyncClient(base_url=web.origin, trust_env=False) as http:
                    response = await http.post(
                        f"/api/conversations/{conversation_id}/reply",
                        json={"body": body}, headers={"Authorization": f"Token {token}"},
                    )  # fmt: skip
                assert response.status_code == 201, response.text
                replies.append(response.json()["message"]["id"])
            delivered = await asyncio.gather(
                *(_collect(ws, s, lambda s: set(replies) <= s["sent"]) for ws, s in
                  zip(sockets, received, strict=True))
            )  # fmt: skip
            return {"delivered": delivered, "replies": replies}

    outcome = asyncio.run(scenario())

    stored = Message.objects.filter(direction="in").count()
    sent = Message.objects.filter(pk__in=outcome["replies"], delivery_state=DeliveryState.SENT)
    posted = x_sim.app.posted_replies(ME)
    jobs_by_worker = [len(re.findall(r"Successfully completed", w.output())) for w in workers]
    print(
        f"\nscaled topology: {stored} messages polled by 2 workers (jobs completed: "
        f"{jobs_by_worker}); both web processes' agents saw all {MENTIONS} live; "
        f"{sent.count()} replies sent through different web processes, posted {len(posted)}"
    )
    for state in outcome["delivered"]:
        assert len(state["received"]) == MENTIONS  # each message announced once to each agent
        assert set(outcome["replies"]) <= state["sent"]
    assert stored == MENTIONS
    assert sent.count() == 2
    assert sorted(t["text"] for t in posted) == sorted(m.text for m in sent)
    assert all(n > 0 for n in jobs_by_worker), "both workers took jobs"


def _conversation_ids() -> list[int]:
    from django.db import connection

    from inbox.models import Conversation

    try:
        return list(Conversation.objects.order_by("pk").values_list("pk", flat=True)[:2])
    finally:
        connection.close()


async def _until(ws, kind: str, state: dict) -> dict:
    state.setdefault("received", [])
    state.setdefault("sent", set())
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), DEADLINE))
        _apply(frame, state)
        if frame["type"] == kind:
            return state


async def _collect(ws, state: dict, done) -> dict:
    async def loop() -> dict:
        while not done(state):
            try:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 2))
            except TimeoutError:
                await ws.send('{"type": "ping"}')  # as the browser does; also catches up
                continue
            _apply(frame, state)
        return state

    return await asyncio.wait_for(loop(), DEADLINE)


def _apply(frame: dict, state: dict) -> None:
    if frame["type"] != "events":
        return
    for event in frame["events"]:
        payload = event.get("payload", event)
        if event.get("kind") == "messages.received":
            state["received"] += [m["id"] for m in payload.get("messages", [])]
        if event.get("kind") == "reply.delivery_changed":
            message = payload.get("message", {})
            if message.get("delivery_state") == "sent":
                state["sent"].add(message["id"])
