"""Raw RFC 5322 mail → Svar's DTOs. Pure: no network, no ORM.

Every message read has one of three outcomes, and none loses anything (the mail itself stays
in the mailbox; Svar never deletes or moves it):

- an ``InboundMessage`` (a customer wrote);
- ``Automatic`` (an auto-reply, a bounce, a mailing list, or our own message seen again):
  it never opens a conversation nor starts an SLA clock, and it is never answered, so two
  auto-responders cannot loop through Svar;
- ``MalformedMail`` (no sender address to answer): a ``RejectedItem`` with the reason.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime

from connectors.base import (
    ContactRef,
    DeliveryFailure,
    InboundMessage,
    ThreadKind,
)
from connectors.email.attachments import attachments_of
from connectors.email.bounces import bounce_of
from connectors.email.html import safe_html
from connectors.email.text import FALLBACK_CHARSET, best_text

MAX_ID_LENGTH = 120  # Message.external_id holds 128
MAX_REFERENCES = 50  # a thread deeper than this threads by its newest references
MAX_SUBJECT = 300
MAX_BODY = 200_000  # characters; the full mail stays in the mailbox
_MSG_ID = re.compile(r"<[^<>\s]{1,998}>")
_AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_DAEMONS = ("mailer-daemon@", "postmaster@")
_SURROGATES = re.compile("[\udc80-\udcff]")


class MalformedMail(ValueError):
    """A mail that cannot become a message; the reason is the exception text."""


@dataclass(frozen=True, slots=True)
class Automatic:
    """Mail no person wrote to us (or our own): recognised, counted, never a conversation."""

    message_id: str
    reason: str
    bounce: DeliveryFailure | None = None  # our own mail that did not arrive, and why


def parse_mail(raw: bytes, account_address: str) -> InboundMessage | Automatic:
    # compat32, not policy.default: the default policy builds a parsed header object on every
    # header access (Content-Type alone is read a dozen times per mail), which cost ~6 ms a
    # mail; compat32 parses the same MIME tree by plain splitting, and the headers Svar reads
    # are decoded here explicitly (``_header``). bench/email_ingest.py has the figures.
    message = message_from_bytes(raw, policy=compat32)
    message_id = _message_id(message, raw)
    sender_name, sender = _sender(message)
    automatic = _automatic_reason(message, sender)
    if automatic:
        return Automatic(message_id=message_id, reason=automatic, bounce=bounce_of(message))
    if not sender:
        raise MalformedMail("no sender address (From) to answer")
    if sender == account_address.lower():
        return Automatic(message_id=message_id, reason="sent from the channel's own address")
    return InboundMessage(
        external_id=message_id,
        thread_external_id=message_id,  # threaded by the inbox (email_threading.py)
        kind=ThreadKind.PRIVATE,
        author=ContactRef(external_id=sender, name=sender_name or sender),
        body=best_text(message)[:MAX_BODY],
        sent_at=_date(message),
        in_reply_to_external_id=next(iter(_ids(message, "In-Reply-To")), None),
        media=attachments_of(message),
        subject=_header(message, "Subject")[:MAX_SUBJECT],
        references=_references(message),
        html=safe_html(message),
    )


def oversized_mail(header_bytes: bytes, size: int, account_address: str) -> InboundMessage:
    """A mail too big to read whole: its headers make the message, the body says why."""
    parsed = parse_mail(header_bytes, account_address)
    if isinstance(parsed, Automatic):
        raise MalformedMail(f"oversized automatic mail ({size} bytes)")
    note = f"[This e-mail is {size / 1_000_000:.1f} MB; read it in the mailbox itself.]"
    return InboundMessage(**{**_fields(parsed), "body": note, "media": (), "html": ""})


def _fields(message: InboundMessage) -> dict[str, object]:
    return {name: getattr(message, name) for name in message.__dataclass_fields__}


def _raw(message: Message, name: str) -> list[str]:
    """A header's values as they were written. Read raw, not through ``policy.default``'s
    header objects: those parse on every access, which cost most of a mail's parsing time."""
    wanted = name.lower()
    return [value for key, value in message.raw_items() if key.lower() == wanted]


def _header(message: Message, name: str) -> str:
    """A header as text: encoded words decoded, raw 8-bit read as UTF-8 or windows-1252; a
    broken encoding never raises (the value is kept as written)."""
    values = _raw(message, name)
    if not values:
        return ""
    value = _unescaped(values[0])
    if "=?" in value:
        with contextlib.suppress(HeaderParseError, LookupError, UnicodeError, ValueError):
            value = str(make_header(decode_header(value)))
    return " ".join(value.split())


def _unescaped(value: str) -> str:
    """The parser keeps undecodable header bytes as surrogates: read them as a person would."""
    if not _SURROGATES.search(value):
        return value
    data = value.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(FALLBACK_CHARSET, errors="replace")


def _message_id(message: Message, raw: bytes) -> str:
    ids = _ids(message, "Message-ID")
    if ids and len(ids[0]) <= MAX_ID_LENGTH:
        return ids[0]
    # None, or too long to store: a stable stand-in (the same mail seen twice maps alike).
    basis = ids[0].encode() if ids else raw
    return f"<{hashlib.sha256(basis).hexdigest()[:40]}@svar.invalid>"


def _ids(message: Message, name: str) -> list[str]:
    return _MSG_ID.findall(" ".join(_raw(message, name)))


def _references(message: Message) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for found in (*_ids(message, "References"), *_ids(message, "In-Reply-To")):
        if len(found) <= MAX_ID_LENGTH:
            seen.setdefault(found, None)
    return tuple(seen)[-MAX_REFERENCES:]


def _sender(message: Message) -> tuple[str, str]:
    for name in ("From", "Sender", "Reply-To"):
        pairs = getaddresses([_header(message, name)])
        for display, address in pairs:
            if "@" in address and len(address) <= MAX_ID_LENGTH:
                return display[:200], address.lower()
    return "", ""


def _automatic_reason(message: Message, sender: str) -> str:
    auto_submitted = _header(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    for name in ("X-Autoreply", "X-Autorespond"):
        if name in message:
            return f"{name} header"
    if _header(message, "Precedence").lower() in _AUTO_PRECEDENCE:
        return "Precedence: " + _header(message, "Precedence").lower()
    if message.get_content_type() == "multipart/report":
        return "delivery or read report (multipart/report)"
    if sender.startswith(_DAEMONS):
        return "from a mail server (" + sender + ")"
    if "List-Id" in message or "List-Unsubscribe" in message:
        return "mailing list"
    return ""


def _date(message: Message) -> datetime:
    try:
        parsed = parsedate_to_datetime(_header(message, "Date"))
    except (TypeError, ValueError, IndexError):
        return datetime.now(UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
