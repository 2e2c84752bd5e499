"""Streamed response bodies under ASGI: each piece pulled in the request's own thread."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from typing import TypeVar

from asgiref.sync import sync_to_async

Piece = TypeVar("Piece", str, bytes)


async def pulled_in_request_thread(pieces: Generator[Piece, None, None]) -> AsyncIterator[Piece]:
    """``pieces`` for an ASGI server, each pulled in the request's own thread (where its
    database connection, and a streamed query's cursor and transaction, live). Given a plain
    iterator, Django under ASGI would first read it whole into a list."""
    pull = sync_to_async(next, thread_sensitive=True)
    try:
        while (piece := await pull(pieces, None)) is not None:
            yield piece
    finally:
        await sync_to_async(pieces.close, thread_sensitive=True)()
