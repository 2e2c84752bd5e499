"""Who is online: the live inbox's WebSocket reports each connected agent (issue #17)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

# The browser pings every 25 s (docs/realtime.md): unseen for three pings means gone.
ONLINE_WINDOW = timedelta(seconds=75)


def agent_presence_seen(*, agent_id: int, at: datetime | None = None) -> None:
    """Record that the agent's browser is connected now (one upsert, no transaction of its
    own to join: a heartbeat must never wait for a lock)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO inbox_agentpresence (agent_id, last_seen_at) VALUES (%s, %s)
            ON CONFLICT (agent_id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at
            """,
            [agent_id, at or timezone.now()],
        )


def online_since(now: datetime) -> datetime:
    """Agents seen at or after this instant are online."""
    return now - ONLINE_WINDOW
