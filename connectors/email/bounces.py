"""Delivery status notifications (RFC 3464): which of our mails bounced, and why.

A bounce is ``multipart/report; report-type=delivery-status``: a human-readable part, a
``message/delivery-status`` part (per recipient: Action, Status, Diagnostic-Code) and the
original mail or its headers (``message/rfc822`` or ``text/rfc822-headers``), where our
Message-ID is. Only a permanent failure counts (Action: failed); a delay report does not.
"""

from __future__ import annotations

import re
from email.message import Message

from connectors.base import DeliveryFailure
from connectors.email.text import part_text

_HEADER_ID = re.compile(r"(?im)^Message-ID:\s*(<[^<>\s]+>)")
MAX_REASON = 500


def bounce_of(message: Message) -> DeliveryFailure | None:
    if message.get_content_type() != "multipart/report":
        return None
    original = reason = ""
    failed = False
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            failed, reason = _status(part)
        elif kind == "message/rfc822" and not original:
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                original = str(inner[0].get("Message-ID", "")).strip()
        elif kind == "text/rfc822-headers" and not original:
            found = _HEADER_ID.search(part_text(part))
            original = found.group(1) if found else ""
    if not failed or not original:
        return None
    return DeliveryFailure(external_id=original, reason=reason[:MAX_REASON])


def _status(part: Message) -> tuple[bool, str]:
    """Whether a recipient failed for good, and the server's words for it."""
    blocks = part.get_payload()
    if not isinstance(blocks, list):
        return False, ""
    for block in blocks:
        action = str(block.get("Action", "")).strip().lower()
        if action == "failed":
            status = str(block.get("Status", "")).strip()
            diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())
            recipient = str(block.get("Final-Recipient", "")).partition(";")[2].strip()
            words = [w for w in (recipient, status, diagnostic) if w]
            return True, ": ".join(words) or "failed"
    return False, ""
