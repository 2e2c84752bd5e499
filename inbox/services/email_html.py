"""The sanitised HTML of newly ingested e-mail, kept beside each message (``MessageHtml``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connectors.base import InboundMessage
from inbox.models import MessageHtml


def message_html_rows_create(messages: Sequence[InboundMessage], stored: Sequence[Any]) -> int:
    """Rows for the messages just inserted (``stored``: their records, parallel to
    ``messages``) that came with HTML; in the ingest's transaction. Returns how many."""
    rows = [
        MessageHtml(message_id=record.pk, html=message.html)
        for message, record in zip(messages, stored, strict=True)
        if message.html
    ]
    if rows:
        MessageHtml.objects.bulk_create(rows)
    return len(rows)
