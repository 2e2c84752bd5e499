"""A deactivated person's old session, API token and open WebSocket all end at once: the
session page redirects to the login, the token answers 401, the socket is closed (4401) and a
new one is refused. Real sessions, the real channels-redis layer, the real ASGI application."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from inbox.services.people import person_deactivate
from tests.web.live import connected, open_socket, run, session_cookie
from web.ws.consumer import CLOSE_UNAUTHENTICATED

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
