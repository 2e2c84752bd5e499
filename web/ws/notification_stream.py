"""One connection's place in its agent's notifications (issue #17; docs/realtime.md).

The same guarantee as the team streams, for a stream of one: notifications carry consecutive
per-recipient seqs (inbox/services/notifications.py), the connection remembers the last it
sent, drops rings at or below it, reads the rows when a ring skips ahead, and compares with
the head on every ping, so a lost ring is made good within one heartbeat. Channels hands a
consumer its messages one at a time, so the cursor needs no lock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async

from inbox.selectors.notifications import notification_head, notifications_since


class NotificationStream:
    def __init__(self, agent_id: int, send: Callable[[dict[str, Any]], None]) -> None:
        self.agent_id = agent_id
        self.send = send
        self.cursor: int | None = None  # None until hello: rings before it are read again

    async def start(self, after: int | None) -> None:
        """From ``after`` (replaying what was missed), or from the head when not given."""
        if after is None:
            self.cursor = await database_sync_to_async(notification_head)(agent_id=self.agent_id)
        else:
            self.cursor = after
            await self.catch_up()

    async def on_ring(self, message: dict[str, Any]) -> None:
        if self.cursor is None or message["last_seq"] <= self.cursor:
            return  # before hello, or delivered already
        if message["first_seq"] == self.cursor + 1:
            self.cursor = message["last_seq"]
            self.send({"type": "notifications", "notifications": message["items"]})
        else:
            await self.catch_up()

    async def check(self) -> None:
        if self.cursor is None:
            return
        head = await database_sync_to_async(notification_head)(agent_id=self.agent_id)
        if head != self.cursor:
            await self.catch_up()

    async def catch_up(self) -> None:
        assert self.cursor is not None
        items = await database_sync_to_async(notifications_since)(
            agent_id=self.agent_id, after=self.cursor
        )
        if items is None or (not items and self.cursor > 0):
            head = await database_sync_to_async(notification_head)(agent_id=self.agent_id)
            if items is None or head < self.cursor:  # too many, or a claim beyond the head
                self.cursor = head
                self.send({"type": "notifications_resync", "head_seq": head})
            return
        if items:
            self.cursor = items[-1]["seq"]
            self.send({"type": "notifications", "notifications": items})
