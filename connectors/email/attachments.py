"""Attachments and inline images of a mail: found in the MIME tree, named safely, and read back
later one part at a time.

At ingest a part is only *described* (a ``MediaItem`` with its IMAP section, e.g. ``2`` or
``1.2``); the connector adds where it lives as an IMAP URL (RFC 5092:
``imap:///INBOX;UIDVALIDITY=7/;UID=42/;SECTION=2``). The media fetch job then reads that one
part with ``UID FETCH BODY.PEEK[section]`` in slices, decodes its transfer encoding on the way
and spools it to a temporary file, so neither the ingest nor the job ever holds a large file in
memory, and the job checks, cleans and stores it like any other platform's media
(``inbox.media.jobs``). A mail over the size limit is read by its headers only, so its parts
are never described and never fetched.
"""

from __future__ import annotations

import binascii
import contextlib
import hashlib
import quopri
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.policy import compat32
from pathlib import PurePosixPath, PureWindowsPath
from urllib.parse import quote, unquote

from connectors.base import MediaItem, MediaKind

MAX_ATTACHMENTS = 20
SLICE = 1_000_000  # bytes per partial FETCH: what the job holds of a part at once
HEAD_BYTES = 512
_URL = re.compile(r"^imap:///(?P<folder>[^;]+);UIDVALIDITY=(?P<validity>\d+)/;UID=(?P<uid>\d+)"
                  r"/;SECTION=(?P<section>[0-9.]+)$")  # fmt: skip
_SURROGATES = re.compile("[\udc80-\udcff]")


def attachments_of(message: Message) -> tuple[MediaItem, ...]:
    """Attachments and inline images, each named safely, with its IMAP section as the key."""
    found: list[MediaItem] = []
    for section, part in _leaves(message, ""):
        disposition = part.get_content_disposition()
        name = safe_filename(_filename(part))
        inline_image = part.get_content_maintype() == "image" and bool(part.get("Content-ID"))
        if (
            disposition != "attachment"
            and not (disposition == "inline" and name)
            and not inline_image
        ):
            continue  # the text bodies; an image with a Content-ID is an inline image
        kind = MediaKind.PHOTO if part.get_content_maintype() == "image" else MediaKind.FILE
        found.append(MediaItem(kind=kind, alt_text=name, mime_hint=part.get_content_type(),
                               key=section))  # fmt: skip
    return tuple(found[:MAX_ATTACHMENTS])


def _leaves(part: Message, prefix: str) -> Iterator[tuple[str, Message]]:
    """The non-multipart parts with their IMAP section numbers (RFC 3501 §6.4.5): a single-part
    mail's body is ``1``; an attached message (message/rfc822) is one part, not descended."""
    if not part.is_multipart() or part.get_content_type() == "message/rfc822":
        yield (prefix or "1"), part
        return
    children = part.get_payload()
    for number, child in enumerate(children if isinstance(children, list) else [], start=1):
        yield from _leaves(child, f"{prefix}.{number}" if prefix else str(number))


def with_location(item: MediaItem, folder: str, validity: str, uid: int) -> MediaItem:
    url = f"imap:///{quote(folder, safe='')};UIDVALIDITY={validity}/;UID={uid}/;SECTION={item.key}"
    return MediaItem(kind=item.kind, url=url, alt_text=item.alt_text, mime_hint=item.mime_hint,
                     key=item.key)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PartLocation:
    folder: str
    validity: str
    uid: int
    section: str


def part_location(url: str) -> PartLocation | None:
    match = _URL.match(url)
    if match is None:
        return None
    return PartLocation(folder=unquote(match["folder"]), validity=match["validity"],
                        uid=int(match["uid"]), section=match["section"])  # fmt: skip


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:  # noqa: BLE001 - a broken RFC 2231 parameter
        return ""
    if "=?" in name:  # RFC 2047 in a parameter: wrong, and what many clients send
        with contextlib.suppress(HeaderParseError, LookupError, UnicodeError, ValueError):
            name = str(make_header(decode_header(name)))
    if _SURROGATES.search(name):
        name = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return name


def safe_filename(name: str) -> str:
    """Only the last path element, no control characters: ``../../etc/passwd`` → ``passwd``."""
    base = PureWindowsPath(PurePosixPath(name).name).name
    cleaned = "".join(c for c in base if c.isprintable()).strip().lstrip(".")
    return cleaned[:200]


class PartTooBig(Exception):
    """The decoded part is over the size limit."""


@dataclass(slots=True)
class SpooledPart:
    file: tempfile._TemporaryFileWrapper  # positioned at 0; closing deletes it
    size: int
    sha256: str
    head: bytes


def transfer_encoding(mime_headers: bytes) -> str:
    headers = message_from_bytes(mime_headers, policy=compat32)
    return str(headers.get("Content-Transfer-Encoding", "7bit")).strip().lower()


def spool_part(slices: Iterator[bytes], encoding: str, max_bytes: int) -> SpooledPart:
    """Decode a part's slices (base64, quoted-printable or as is) into a temporary file."""
    digest = hashlib.sha256()
    spool = tempfile.NamedTemporaryFile(prefix="svar-mail-part-")  # noqa: SIM115 - caller closes
    decoder = _Decoder(encoding)
    size, head = 0, b""
    try:
        for chunk in decoder.decoded(slices):
            size += len(chunk)
            if size > max_bytes:
                raise PartTooBig(f"more than the limit of {max_bytes} bytes")
            head += chunk[: max(0, HEAD_BYTES - len(head))]
            digest.update(chunk)
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return SpooledPart(file=spool, size=size, sha256=digest.hexdigest(), head=head)


class _Decoder:
    """A transfer decoding fed slice by slice: base64 in whole quanta of four characters,
    quoted-printable in whole lines, anything else passed through."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.rest = b""

    def feed(self, data: bytes) -> bytes:
        if self.encoding == "base64":
            data = self.rest + re.sub(rb"[^A-Za-z0-9+/=]", b"", data)
            cut = len(data) - len(data) % 4
            self.rest = data[cut:]
            return _b64(data[:cut])
        if self.encoding == "quoted-printable":
            data = self.rest + data
            cut = data.rfind(b"\n") + 1
            self.rest = data[cut:]
            return quopri.decodestring(data[:cut])
        return data

    def decoded(self, slices: Iterator[bytes]) -> Iterator[bytes]:
        for data in slices:
            yield self.feed(data)
        yield self.finish()

    def finish(self) -> bytes:
        rest, self.rest = self.rest, b""
        if self.encoding == "base64":
            return _b64(rest + b"=" * (-len(rest) % 4)) if rest.strip(b"=") else b""
        if self.encoding == "quoted-printable":
            return quopri.decodestring(rest)
        return rest


def _b64(data: bytes) -> bytes:
    try:
        return binascii.a2b_base64(data)
    except binascii.Error:
        return binascii.a2b_base64(data, strict_mode=False) if data else b""
