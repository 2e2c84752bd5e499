"""Text PostgreSQL can store. A platform's JSON may carry a NUL (``\\u0000``) or a lone UTF-16
surrogate (``\\ud800``); PostgreSQL's text type refuses the first and UTF-8 cannot encode the
second, so one such message would fail its whole poll, every time (a poison message). They are
replaced with U+FFFD, the replacement character: visible, and nothing else is lost."""

from __future__ import annotations

import re
from dataclasses import replace

from connectors.base import InboundMessage

REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    return _UNSTORABLE.sub(REPLACEMENT, text)


def storable_message(message: InboundMessage) -> InboundMessage:
    """The message with every customer-written string storable (unchanged when it was)."""
    author = message.author
    fields = {"body": message.body, "name": author.name, "handle": author.handle}
    if not any(_UNSTORABLE.search(value) for value in fields.values()):
        return message
    return replace(
        message,
        body=storable(message.body),
        author=replace(author, name=storable(author.name), handle=storable(author.handle)),
    )
