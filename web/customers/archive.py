"""A person's data as a ZIP archive (issue #19), written while it is sent: rows come through
server-side cursors a chunk at a time and leave as compressed pieces, so an export of 50,000
messages never holds more than a chunk (tests/inbox/test_customer_data.py measures it).

Layout: ``manifest.json`` (what is in the archive and why), ``contacts.json``,
``conversations.json``, ``messages.json``, ``notes.json``, each a JSON array; media files go
under ``media/<message id>/<media id>.<ext>`` and are listed in the manifest with the message
they belong to (``media_files``).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from inbox.media.sniff import EXTENSIONS
from inbox.media.storage import media_storage
from inbox.selectors.customer_data import (
    PLATFORM_SIDE_NOTE,
    DataScope,
    scope_conversations,
    scope_media,
    scope_messages,
    scope_notes,
)

CHUNK = 2_000  # rows per server-side cursor fetch
ROWS_PER_PIECE = 500  # rows written between two pieces of the response
FORMAT = "svar-data-export/1"


@dataclass(frozen=True, slots=True)
class MediaFile:
    """One stored file of the person's messages: ``media/<name>`` in the archive."""

    name: str
    message_id: int
    content_type: str
    chunks: Iterable[bytes]


def media_files(scope: DataScope) -> Iterator[MediaFile]:
    """The person's stored media files as kept (EXIF already stripped on the way in), read in
    the storage's chunks while the archive is written; one gone from the storage meanwhile is
    left out rather than breaking the archive."""
    storage = media_storage()
    rows = (
        scope_media(scope)
        .order_by("message_id", "position")
        .only("pk", "message_id", "content_type", "file")
    )
    for media in rows.iterator(chunk_size=CHUNK):
        if not storage.exists(media.file.name):
            continue
        extension = EXTENSIONS.get(media.content_type, "bin")
        yield MediaFile(f"{media.message_id}/{media.pk}.{extension}", media.message_id,
                        media.content_type, _chunks(media.file))  # fmt: skip


def _chunks(file: Any) -> Iterator[bytes]:
    with file.open("rb") as opened:
        yield from opened.chunks()


class _Pipe:
    """A write-only file for ``zipfile`` that hands back what was written since last asked."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _contacts(scope: DataScope) -> Iterator[dict[str, Any]]:
    for c in scope.contacts:
        yield {"id": c.pk, "platform": c.platform, "platform_id": c.external_id, "name": c.name,
               "handle": c.handle, "email": c.email, "profile_id": c.profile_id}  # fmt: skip


def _conversations(scope: DataScope) -> Iterator[dict[str, Any]]:
    rows = scope_conversations(scope).values(
        "id", "kind", "status", "external_thread_id", "opened_at", "resolved_at",
        "last_message_at", "account__platform", "account__display_name", "team__name",
    ).order_by("id")  # fmt: skip
    for row in rows.iterator(chunk_size=CHUNK):
        item = {k.replace("account__", "channel_").replace("__", "_"): _iso(v)
                for k, v in row.items()}  # fmt: skip
        item["on_platform"] = PLATFORM_SIDE_NOTE if row["kind"] == "public" else None
        yield item


def _messages(scope: DataScope) -> Iterator[dict[str, Any]]:
    rows = scope_messages(scope).values(
        "id", "conversation_id", "conversation__kind", "direction", "external_id", "text",
        "platform_time", "author_contact_id", "author_agent__public_name", "delivery_state",
    ).order_by("conversation_id", "platform_time", "id")  # fmt: skip
    for row in rows.iterator(chunk_size=CHUNK):
        public = row.pop("conversation__kind") == "public"
        row["author_agent"] = row.pop("author_agent__public_name")
        row["platform_time"] = _iso(row["platform_time"])
        row["on_platform"] = PLATFORM_SIDE_NOTE if public and row["external_id"] else None
        yield row


def _notes(scope: DataScope) -> Iterator[dict[str, Any]]:
    rows = (
        scope_notes(scope)
        .values("id", "conversation_id", "body", "created_at", "author__public_name")
        .order_by("id")
    )
    for row in rows.iterator(chunk_size=CHUNK):
        row["author"] = row.pop("author__public_name")
        row["created_at"] = _iso(row["created_at"])
        yield row


def _manifest(scope: DataScope, counts: dict[str, int], media: list[dict[str, Any]]) -> bytes:
    return json.dumps({
        "format": FORMAT, "generated_at": timezone.now().isoformat(),
        "teams": "all" if scope.team_ids is None else scope.team_ids,
        "files": counts, "media": media, "platform_side": PLATFORM_SIDE_NOTE,
    }, indent=2, ensure_ascii=False).encode()  # fmt: skip


def _entries(scope: DataScope) -> list[tuple[str, Callable[[DataScope], Iterator[Any]]]]:
    return [("contacts.json", _contacts), ("conversations.json", _conversations),
            ("messages.json", _messages), ("notes.json", _notes)]  # fmt: skip


def archive_pieces(
    scope: DataScope, done: Callable[[dict[str, int]], object]
) -> Generator[bytes, None, None]:
    """The ZIP in pieces; ``done(rows written per file)`` when it ends, also if cut short."""
    pipe, counts, media = _Pipe(), {}, []
    try:
        with zipfile.ZipFile(pipe, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, rows in _entries(scope):
                counts[name] = 0
                with archive.open(name, "w", force_zip64=True) as entry:
                    entry.write(b"[")
                    for row in rows(scope):
                        comma = b"," if counts[name] else b""
                        entry.write(comma + b"\n" + json.dumps(row, ensure_ascii=False).encode())
                        counts[name] += 1
                        if counts[name] % ROWS_PER_PIECE == 0:
                            yield pipe.take()
                    entry.write(b"\n]\n")
                yield pipe.take()
            for file in media_files(scope):
                media.append({"path": f"media/{file.name}", "message_id": file.message_id,
                              "content_type": file.content_type})  # fmt: skip
                with archive.open(f"media/{file.name}", "w", force_zip64=True) as entry:
                    for chunk in file.chunks:
                        entry.write(chunk)
                        yield pipe.take()
            archive.writestr("manifest.json", _manifest(scope, counts, media))
        yield pipe.take()
    finally:
        done(counts)
