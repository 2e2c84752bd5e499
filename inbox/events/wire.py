"""The wire form of a logged event: what clients receive, live or in replay (docs/realtime.md).

The replay renders the same form in SQL (inbox/events/replay.py); the two must agree.
"""

from __future__ import annotations

import json
from typing import Any

from inbox.events.snapshots import iso
from inbox.models import InboxEvent


def event_message(event: InboxEvent) -> dict[str, Any]:
    """The wire form of one logged event, as clients receive it live or in replay."""
    return {
        "seq": event.seq,
        "team_id": event.team_id,
        "created_at": iso(event.created_at),
        **event.payload,
    }


def wire_json(event: InboxEvent) -> str:
    """``event_message`` as the JSON text clients receive (compact, UTF-8 as it is)."""
    return json.dumps(event_message(event), separators=(",", ":"), ensure_ascii=False)
