"""A real WebSocket client for the live inbox, as a browser would be: session cookie, Origin."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from tests.web.servers import AsgiServer


def dial(server: AsgiServer, cookie: str | None, *, origin: str | None = None) -> connect:
    headers = {"Cookie": cookie} if cookie else {}
    return connect(
        server.ws_url,
        origin=origin or server.origin,
        additional_headers=headers,
        proxy=None,
        max_size=None,
        open_timeout=5,
        close_timeout=1,
    )


FRAME_WAIT = 5.0


async def receive(ws: ClientConnection) -> dict[str, Any]:
    async with asyncio.timeout(FRAME_WAIT):
        return json.loads(await ws.recv())


async def receive_until(ws: ClientConnection, kind: str) -> list[dict[str, Any]]:
    frames = []
    while True:
        frames.append(await receive(ws))
        if frames[-1]["type"] == kind:
            return frames
