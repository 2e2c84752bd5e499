"""The readable text of an e-mail: text/plain preferred, HTML reduced to text safely.

HTML goes through ``nh3`` (the Rust ``ammonia`` sanitiser, already Svar's for guidelines) with
no tags allowed: scripts and styles go with their content, every element and attribute (so
every remote image and tracking pixel) is dropped, and only text remains; no HTML from a mail
ever reaches a browser. Any charset is read: an unknown or lying declaration falls back to
windows-1252 (a superset of iso-8859-1 and what such mail nearly always is), never an error.
"""

from __future__ import annotations

import html
import re
from email.message import Message

import nh3

_BLOCK_END = re.compile(r"(?i)<\s*(br\s*/?|/p|/div|/li|/tr|/h[1-6]|/blockquote)\s*>")
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
FALLBACK_CHARSET = "windows-1252"


def html_to_text(markup: str) -> str:
    """Plain text of an HTML body: line breaks kept, everything else dropped."""
    with_breaks = _BLOCK_END.sub("\n", markup)
    cleaned = nh3.clean(with_breaks, tags=set(), attributes={}, strip_comments=True)
    text = html.unescape(cleaned).replace("\r\n", "\n").replace("\xa0", " ")
    return _BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("\n", text)).strip()


def part_text(part: Message) -> str:
    """A text part decoded whatever its declared charset and transfer encoding."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        payload = str(part.get_payload() or "").encode("utf-8", "replace")
    charset = part.get_content_charset() or "us-ascii"
    try:
        return payload.decode(charset)
    except (LookupError, UnicodeDecodeError):
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode(FALLBACK_CHARSET, errors="replace")


def best_text(message: Message) -> str:
    """text/plain when the mail has one, else its HTML as text, else nothing."""
    plain = html_part = None
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = part
        elif kind == "text/html" and html_part is None:
            html_part = part
    if plain is not None:
        return part_text(plain).replace("\r\n", "\n").strip()
    if html_part is not None:
        return html_to_text(part_text(html_part))
    return ""
