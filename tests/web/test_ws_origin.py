"""The live inbox opens only for pages of the site itself: the handshake's Origin must equal
the connection's own origin (scheme, host and port) or one of CSRF_TRUSTED_ORIGINS. A page on
another port, over another scheme or on another host of the same machine does not ride the
agent's session."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from websockets.exceptions import InvalidStatus

from tests.web.live import open_socket, run, session_cookie
from tests.web.servers import AsgiServer, free_port
from tests.web.wsclient import dial, receive
from web.ws.origin import origin_allowed

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("channel_prefix")]


@pytest.fixture
def server(channel_prefix: str, transactional_db: None) -> Iterator[AsgiServer]:
    started = AsgiServer().start()
    yield started
    started.stop()


def foreign_origins(server: AsgiServer) -> dict[str, str]:
    return {
        "another port": f"http://127.0.0.1:{free_port()}",
        "another scheme": f"https://127.0.0.1:{server.port}",
        "another host of the same machine": f"http://localhost:{server.port}",
        "another site": "http://evil.example",
        "an opaque origin": "null",
    }


def test_a_real_server_refuses_a_page_of_another_origin(server, agent):
    cookie = session_cookie(agent.user)

    async def refused(origin: str) -> int:
        with pytest.raises(InvalidStatus) as refusal:
            async with dial(server, cookie, origin=origin):
                pass
        return refusal.value.response.status_code

    async def scenario() -> dict[str, int]:
        return {why: await refused(origin) for why, origin in foreign_origins(server).items()}

    assert asyncio.run(scenario()) == dict.fromkeys(foreign_origins(server), 403)


def test_a_real_server_accepts_a_page_of_its_own_origin(server, agent):
    async def scenario() -> None:
        async with dial(server, session_cookie(agent.user), origin=server.origin) as ws:
            await ws.send('{"type": "hello"}')
            assert (await receive(ws))["type"] == "welcome"

    asyncio.run(scenario())


def scope(
    origin: str | None,
    host: str = "127.0.0.1:8000",
    *,
    scheme: str = "ws",
    forwarded_proto: str | None = None,
) -> dict:
    """A handshake's ASGI scope, as uvicorn builds it."""
    headers = [(b"host", host.encode())]
    if forwarded_proto is not None:
        headers.append((b"x-forwarded-proto", forwarded_proto.encode()))
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return {"type": "websocket", "scheme": scheme, "headers": headers}


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("http://127.0.0.1:8000", True),
        ("HTTP://127.0.0.1:8000/", True),
        ("http://127.0.0.1:9999", False),
        ("http://127.0.0.1", False),
        ("https://127.0.0.1:8000", False),
        ("http://localhost:8000", False),
        ("http://127.0.0.1:8000.evil.example", False),
        ("http://127.0.0.1:notaport", False),
        ("null", False),
        (None, False),
    ],
)
def test_only_the_connections_own_origin_is_allowed(origin, allowed):
    assert origin_allowed(scope(origin)) is allowed


def test_a_secure_connection_allows_its_https_origin_only():
    assert origin_allowed(scope("https://127.0.0.1:8000", scheme="wss"))
    assert not origin_allowed(scope("http://127.0.0.1:8000", scheme="wss"))


def test_the_default_port_may_be_left_out_on_either_side(settings):
    settings.ALLOWED_HOSTS = ["svar.localhost", "127.0.0.1"]
    assert origin_allowed(scope("https://svar.localhost", host="svar.localhost:443", scheme="wss"))
    assert origin_allowed(scope("http://127.0.0.1:80", host="127.0.0.1"))


def test_a_host_the_site_does_not_answer_to_is_no_origin_of_its_own(settings):
    settings.ALLOWED_HOSTS = ["svar.example"]
    assert not origin_allowed(scope("http://evil.example", host="evil.example"))
    assert origin_allowed(scope("http://svar.example", host="svar.example"))


def test_behind_a_proxy_the_forwarded_scheme_counts_when_the_proxy_header_is_trusted(settings):
    settings.ALLOWED_HOSTS = ["svar.example"]
    origin, host = "https://svar.example", "svar.example"
    assert not origin_allowed(scope(origin, host=host, forwarded_proto="https"))
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert origin_allowed(scope(origin, host=host, forwarded_proto="https"))
    assert not origin_allowed(scope("http://svar.example", host=host, forwarded_proto="https"))


def test_csrf_trusted_origins_are_allowed_by_scheme_host_and_port(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://svar.example", "https://*.svar.dk:8443"]
    internal = "web:8000"  # a proxy that rewrites Host
    assert origin_allowed(scope("https://svar.example", host=internal))
    assert origin_allowed(scope("https://kundeservice.svar.dk:8443", host=internal))
    assert not origin_allowed(scope("http://svar.example", host=internal))
    assert not origin_allowed(scope("https://svar.example:8443", host=internal))
    assert not origin_allowed(scope("https://kundeservice.svar.dk", host=internal))
    assert not origin_allowed(scope("https://svar.example.evil", host=internal))


@pytest.mark.parametrize(
    ("origin", "accepted"),
    [("http://127.0.0.1", True), ("http://127.0.0.1:9999", False), ("https://127.0.0.1", False)],
)
def test_the_asgi_application_applies_the_check(agent, origin, accepted):
    cookie = session_cookie(agent.user)

    async def scenario() -> None:
        socket, ok, _ = await open_socket(cookie, origin=origin)
        assert ok is accepted
        if ok:
            await socket.disconnect()

    run(scenario)
