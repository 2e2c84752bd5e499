"""A deactivated person's old session, API token and open WebSocket all end at once: the
session page redirects to the login, the token answers 401, the socket is closed (4401) and a
new one is refused. A team taken away closes their sockets too (4409); the reconnect sees only
their teams now. Real sessions, the real channels-redis layer, the real ASGI application."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from inbox.services import sign_out
from inbox.services.people import person_deactivate, person_update
from tests.web.live import connected, next_frame, open_socket, opened, run, session_cookie
from web.ws.consumer import CLOSE_ACCESS_CHANGED, CLOSE_UNAUTHENTICATED

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("channel_prefix")]


def test_their_session_token_and_websocket_end_at_once(admin_agent, agent, team):
    browser = Client()
    browser.force_login(User.objects.get(pk=agent.user_id))  # the stored password's hash
    assert browser.get("/").status_code == 200
    token = Token.objects.create(user=agent.user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/me").status_code == 200
    colleague_session = Client()
    colleague_session.force_login(User.objects.get(pk=admin_agent.user_id))
    cookie = session_cookie(agent.user)

    async def scenario() -> None:
        socket = await connected(cookie)
        await sync_to_async(person_deactivate)(user=admin_agent.user, agent_id=agent.pk)
        closed = await socket.receive_output(timeout=3)
        assert closed == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}
        _, accepted, code = await open_socket(cookie)
        assert (accepted, code) == (False, CLOSE_UNAUTHENTICATED)

    run(scenario)

    page = browser.get("/")
    assert page.status_code == 302
    assert page["Location"].startswith("/login/")
    refused = api.get("/api/me")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "authentication_failed"
    assert not Token.objects.filter(user=agent.user).exists()
    owners = {s.get_decoded()["_auth_user_id"] for s in Session.objects.all()}
    assert owners == {str(admin_agent.user_id)}  # the admin's own session is untouched
    assert colleague_session.get("/").status_code == 200


def test_a_team_taken_away_stops_reaching_their_open_websocket(admin_agent, agent, other_team):
    cookie = session_cookie(agent.user)

    async def scenario() -> None:
        socket = await connected(cookie)
        await sync_to_async(person_update)(
            user=admin_agent.user, agent_id=agent.pk, team_ids=[other_team.pk]
        )
        closed = await socket.receive_output(timeout=3)
        assert closed == {"type": "websocket.close", "code": CLOSE_ACCESS_CHANGED}
        again = await opened(cookie)
        await again.send_json_to({"type": "hello"})
        welcome = await next_frame(again)
        assert welcome["teams"] == [other_team.pk]
        await again.disconnect()

    run(scenario)


def test_the_domain_and_the_consumer_agree_on_the_close_codes():
    assert sign_out.CLOSE_SIGNED_OUT == CLOSE_UNAUTHENTICATED
    assert sign_out.CLOSE_ACCESS_CHANGED == CLOSE_ACCESS_CHANGED
