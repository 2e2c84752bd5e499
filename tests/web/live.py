"""Helpers for consumer tests: connect a user through the full ASGI stack, read frames."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.testing.websocket import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

ORIGIN = "http://127.0.0.1"
FRAME_WAIT = 3.0


def session_cookie(user: AbstractBaseUser) -> str:
    """A real session, as the login page would leave it, as a Cookie header value."""
    client = Client()
    # Reloaded: the session hash must come from the stored password, not an unsaved one.
    client.force_login(type(user).objects.get(pk=user.pk))
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    """Run an async scenario from a sync test; DB work inside it uses sync_to_async."""
    async_to_sync(scenario)()


async def open_socket(
    cookie: str | None, *, origin: str | None = ORIGIN
) -> tuple[WebsocketCommunicator, bool, int | None]:
    headers = [(b"host", b"127.0.0.1")]  # as a browser sends it, with the Origin of its page
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if cookie is not None:
        headers.append((b"cookie", cookie.encode()))
    from web.asgi import application

    communicator = WebsocketCommunicator(application, "/ws/inbox", headers=headers)
    connected, code = await communicator.connect(timeout=FRAME_WAIT)
    return communicator, connected, code


async def opened(cookie: str) -> WebsocketCommunicator:
    communicator, ok, code = await open_socket(cookie)
    assert ok, f"handshake refused ({code})"
    return communicator


async def connected(cookie: str, **hello: Any) -> WebsocketCommunicator:
    """An open socket that has said hello and received everything up to ``caught_up``."""
    communicator = await opened(cookie)
    await communicator.send_json_to({"type": "hello", **hello})
    await frames_until(communicator, "caught_up")
    return communicator


async def frames_until(communicator: WebsocketCommunicator, kind: str) -> list[dict[str, Any]]:
    """Frames received up to and including the first of type ``kind``."""
    frames = []
    while True:
        frame = await communicator.receive_json_from(timeout=FRAME_WAIT)
        frames.append(frame)
        if frame["type"] == kind:
            return frames


async def next_frame(communicator: WebsocketCommunicator) -> dict[str, Any]:
    return await communicator.receive_json_from(timeout=FRAME_WAIT)


def seqs(frames: list[dict[str, Any]]) -> list[int]:
    return [e["seq"] for f in frames if f["type"] == "events" for e in f["events"]]
