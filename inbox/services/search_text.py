"""What the full-text search finds a newly ingested message by (the conversation's
``search_vector``, ``to_tsvector('simple', …)``)."""

from __future__ import annotations

import re

from connectors.base import InboundMessage

# The 'simple' parser keeps an address as one word ('anna.berg@example.dk'), and a search is a
# prefix match of each word typed: 'example.dk' or 'berg' would never find it. Its parts do.
_ADDRESS_PARTS = re.compile(r"[@._+\-]+")


def searchable_text(message: InboundMessage, *, email: bool) -> str:
    """The message's text; an e-mail's also its subject and its sender's address, whole and in
    parts, so a search by subject or address finds the conversation."""
    if not email:
        return message.body
    address = message.author.external_id
    return " ".join((message.subject, address, _ADDRESS_PARTS.sub(" ", address), message.body))
