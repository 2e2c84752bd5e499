"""The conversations one connection follows as a guest (issue #17; docs/realtime.md).

A colleague of another team mentioned into a conversation reads it through a grant. Their
connection follows it with the team streams' guarantee, in the team's own sequence numbers: it
joins the team hub (web.ws.fanout) as a member of its own that keeps, per followed conversation,
the last team seq it has passed, takes from each doorbell only that conversation's events, and
reads the log (inbox/events/guest.py) whenever a doorbell skips ahead or is too large to carry
the events, and on every ping. Reads run one at a time under a lock; doorbells that arrive
meanwhile only mark the stream dirty, so nothing is sent twice or out of order.

The stream of a conversation ends at the ``conversation.grant_revoked`` event of the guest's
grant (``guest_ended``): nothing the team does after the withdrawal reaches the guest.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from channels.db import database_sync_to_async

from inbox.events.guest import GuestGrant, guest_events_since, guest_grants
from inbox.events.kinds import EventKind
from web.ws.protocol import GUEST_PER_CONNECTION_MAX, Follow, ProtocolError

if TYPE_CHECKING:
    from web.ws.consumer import InboxConsumer
    from web.ws.fanout import TeamHub


def guest_events_frame(conversation_id: int, wire: Sequence[str]) -> str:
    return (
        f'{{"type":"guest_events","conversation_id":{conversation_id},"events":['
        + ",".join(wire)
        + "]}"
    )


class GuestStream:
    def __init__(self, consumer: InboxConsumer) -> None:
        self.consumer = consumer
        self.channel_name = consumer.channel_name
        self.grants: dict[int, GuestGrant] = {}  # followed conversation → its grant
        self.cursors: dict[int, int] = {}  # conversation → last team seq passed
        self.lock = asyncio.Lock()
        self.dirty = False
        self.task: asyncio.Task[None] | None = None
        self.hub: TeamHub | None = None

    async def granted(self, wanted: Sequence[int]) -> dict[int, GuestGrant]:
        """The user's grants to these conversations; refused if one is missing."""
        if not wanted:
            return {}
        grants = await database_sync_to_async(guest_grants)(
            agent_id=self.consumer.subscription.agent_id, conversation_ids=list(wanted)
        )
        missing = sorted(set(wanted) - set(grants))
        if missing:
            raise ProtocolError(
                "conversation_not_found",
                "You follow only conversations you were mentioned into.",
                conversation_ids=missing,
            )
        return grants

    async def follow(
        self, hub: TeamHub, grants: Mapping[int, GuestGrant], after: Mapping[int, int]
    ) -> None:
        """Subscribe, then read what was missed: live from when this returns."""
        new = {c: g for c, g in grants.items() if c not in self.grants}
        if len(self.grants) + len(new) > GUEST_PER_CONNECTION_MAX:
            raise ProtocolError(
                "too_many_guests", f"At most {GUEST_PER_CONNECTION_MAX} conversations at once."
            )
        self.hub = hub
        for conversation_id, grant in new.items():
            self.grants[conversation_id] = grant
            self.cursors[conversation_id] = after[conversation_id]
            await hub.join(grant.team_id, self)  # join first, read second: no gap between
        await self.catch_up()

    async def on_follow(self, hub: TeamHub | None, frame: Follow) -> None:
        """A ``follow`` frame: answered with the replay, then ``following``."""
        if hub is None:
            raise ProtocolError("hello_first", "Say hello before following a conversation.")
        grants = await self.granted([frame.conversation_id])
        await self.follow(hub, grants, {frame.conversation_id: frame.last_seq})
        self.consumer._send(
            {
                "type": "following",
                "conversation_id": frame.conversation_id,
                "last_seq": self.cursors.get(frame.conversation_id),
            }
        )

    async def check(self) -> None:
        """On every ping: a lost doorbell (or a withdrawal) is made good within a heartbeat."""
        if self.grants:
            await self.catch_up()

    def positions(self) -> dict[str, int]:
        return {str(c): seq for c, seq in self.cursors.items()}

    async def leave(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.hub is not None:
            await self.hub.leave(self)

    # --- from the team hub: plain calls, no I/O ------------------------------------------------

    def on_doorbell(
        self, team_id: int, first: int, last: int, wire: Sequence[str] | None, frame: str
    ) -> None:
        mine = [
            c for c, g in self.grants.items() if g.team_id == team_id and self.cursors[c] < last
        ]
        if not mine or self.consumer.closing:
            return
        if self.lock.locked() or not wire or any(first > self.cursors[c] + 1 for c in mine):
            self.dirty = True  # a read is running (it goes round again), or a gap to read
            if not self.lock.locked() and (self.task is None or self.task.done()):
                self.task = asyncio.ensure_future(self.catch_up())
            return
        events = [(first + n, json.loads(text), text) for n, text in enumerate(wire)]
        for conversation_id in mine:
            cursor = self.cursors[conversation_id]
            ours = [
                (seq, event, text)
                for seq, event, text in events
                if seq > cursor and (event.get("conversation") or {}).get("id") == conversation_id
            ]
            self._deliver(conversation_id, ours, last)

    def on_presence(self, team_id: int, origin: str, frame: str) -> None:
        """Presence stays with the team (docs/team-flow-mentions.md)."""

    # --- reading the log ----------------------------------------------------------------------

    async def catch_up(self) -> None:
        """Read each followed conversation's events after its cursor; again while rung."""
        async with self.lock:
            while not self.consumer.closing:
                self.dirty = False
                for conversation_id in list(self.grants):
                    await self._replay(conversation_id)
                if not self.dirty:
                    return

    async def _replay(self, conversation_id: int) -> None:
        replay = await database_sync_to_async(guest_events_since)(
            grant=self.grants[conversation_id], after=self.cursors[conversation_id]
        )
        if replay.resync is not None:
            self.cursors[conversation_id] = replay.head
            self.consumer._send(
                {
                    "type": "guest_resync",
                    "conversation_id": conversation_id,
                    "reason": str(replay.resync),
                    "head_seq": replay.head,
                }
            )
            return
        if replay.events:
            text = guest_events_frame(conversation_id, [e.json for e in replay.events])
            self.consumer._push(text)
        self.cursors[conversation_id] = replay.head
        if replay.ended:
            self._end(conversation_id)

    def _deliver(
        self, conversation_id: int, events: list[tuple[int, dict[str, Any], str]], last: int
    ) -> None:
        """Send a doorbell's events of the conversation, up to the withdrawal of the grant."""
        grant_id = self.grants[conversation_id].grant_id
        wire: list[str] = []
        ended = False
        for seq, event, text in events:
            if event.get("kind") == EventKind.GRANT_REVOKED and event["grant"]["id"] == grant_id:
                last, ended = seq, True
                break
            wire.append(text)
        if wire:
            self.consumer._push(guest_events_frame(conversation_id, wire), live=True)
        self.cursors[conversation_id] = last
        if ended:
            self._end(conversation_id)

    def _end(self, conversation_id: int) -> None:
        del self.grants[conversation_id], self.cursors[conversation_id]
        self.consumer._send(
            {"type": "guest_ended", "conversation_id": conversation_id, "reason": "revoked"}
        )
