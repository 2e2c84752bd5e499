"""The ASGI application runs Django's middleware chain and the view synchronously, behind one
switch from the event loop, and every middleware still applies (web/asgi.py)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from rest_framework.authtoken.models import Token

from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db(transaction=True)  # requests run on other threads


def _get(path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    from web.asgi import application

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.get(path, headers=headers or {})

    return asyncio.run(send())


def test_the_middleware_chain_is_synchronous():
    from web.asgi import django_application

    assert not asyncio.iscoroutinefunction(django_application._middleware_chain)


def test_an_api_request_passes_every_middleware_and_the_view(team):
    agent = AgentFactory(teams=[team])
    token = Token.objects.create(user=agent.user)

    page = _get("/api/conversations", {"Authorization": f"Token {token.key}"})
    assert page.status_code == 200
    assert page.json() == {"results": [], "next_cursor": None}
    assert page.headers["X-Frame-Options"] == "DENY"  # the last middleware in the chain
    assert "default-src" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Request-ID"]  # the first middleware after the probes


def test_refusals_and_probes_answer_as_before():
    refused = _get("/api/conversations")
    assert refused.status_code == 401
    assert "error" in refused.json()
    assert _get("/healthz").status_code == 200
    login = _get("/login/")
    assert login.status_code == 200
    assert "csrftoken" in login.headers.get("set-cookie", "")
