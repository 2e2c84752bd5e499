"""How many WebSockets this web process holds open, for /metrics.

An ASGI wrapper around the WebSocket application counts accepted connections until their
handler returns, so the count needs nothing from the consumer. Per process: Prometheus
scrapes each web replica and sums them.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
    Awaitable[None],
]

_lock = threading.Lock()
_open = 0
_accepted_total = 0


# Connections with an outbox (web.ws.consumer.InboxConsumer), read at scrape time only.
_backlogs: weakref.WeakSet[Any] = weakref.WeakSet()
_closed_too_slow = 0


def track_backlog(consumer: Any) -> None:
    """Count ``consumer.outbox_chars`` in :func:`backlog_chars` while the consumer lives."""
    _backlogs.add(consumer)


def closed_too_slow() -> None:
    global _closed_too_slow
    with _lock:
        _closed_too_slow += 1


def closed_too_slow_total() -> int:
    return _closed_too_slow


def backlog_chars() -> int:
    """Characters of frames queued for clients on this process and not yet written."""
    for _ in range(5):  # the event loop's thread may add a connection while we copy
        try:
            consumers = list(_backlogs)
        except RuntimeError:
            continue
        return sum(getattr(c, "outbox_chars", 0) for c in consumers)
    return 0


def open_connections() -> int:
    return _open


def accepted_total() -> int:
    return _accepted_total


def _change(delta: int) -> None:
    global _open, _accepted_total
    with _lock:
        _open += delta
        if delta > 0:
            _accepted_total += delta


def count_connections(app: ASGIApp) -> ASGIApp:
    async def counted(scope: Scope, receive: Any, send: Any) -> None:
        accepted = False

        async def counting_send(message: Message) -> None:
            nonlocal accepted
            if message.get("type") == "websocket.accept" and not accepted:
                accepted = True
                _change(+1)
            await send(message)

        try:
            await app(scope, receive, counting_send)
        finally:
            if accepted:
                _change(-1)

    return counted
