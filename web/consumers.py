"""The live inbox WebSocket: the team streams a user may see, catch-up, presence.

The consumer only parses frames (``web.protocol``), reads through ``inbox.realtime`` and
``inbox.access``, and serialises. Delivery is exactly-once and in order per team because the
consumer keeps, per team, the last seq it sent: doorbells at or below it are dropped, and a
doorbell that skips ahead (lost or too large to inline) is filled from the durable log.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from inbox import access, realtime
from inbox.events import agent_group, team_group
from inbox.exceptions import InboxError
from web import protocol
from web.protocol import Hello, Ping, Presence, PresenceState, ProtocolError

logger = logging.getLogger(__name__)

# Close codes (4000–4999 are the application's own).
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_LARGE = 1009
# The core channels-redis layer forgets group members after a day (group_expiry); joining
# again keeps a long-lived connection subscribed whichever Redis layer is configured.
REJOIN_AFTER_SECONDS = 3600
CONVERSATION_CACHE_MAX = 1000
EVENTS_PER_FRAME = 500


def _events_frame(team_id: int, events: list[dict[str, Any]]) -> str:
    return protocol.dumps({"type": "events", "team_id": team_id, "events": events})


# A doorbell reaches every consumer of a team in this process; serialise its frame once.
# The key holds the first event's commit time too, so a seq reused in another database
# (tests, benchmarks) never hits a stale entry.
_FRAME_CACHE_SIZE = 64
_frame_cache: OrderedDict[tuple[int, int, int, str], str] = OrderedDict()


def shared_events_frame(team_id: int, events: list[dict[str, Any]]) -> str:
    key = (team_id, events[0]["seq"], events[-1]["seq"], events[0]["created_at"])
    frame = _frame_cache.get(key)
    if frame is None:
        frame = _frame_cache[key] = _events_frame(team_id, events)
        if len(_frame_cache) > _FRAME_CACHE_SIZE:
            _frame_cache.popitem(last=False)
    return frame


class InboxConsumer(AsyncWebsocketConsumer):
    subscription: realtime.Subscription
    cursors: dict[int, int]  # team → last seq sent on this connection (only after hello)
    groups_joined_at: float

    async def connect(self) -> None:
        self.cursors = {}
        self.groups_joined_at = 0.0
        self.presence: dict[int, tuple[int, Presence]] = {}  # conversation → (team, frame)
        self.conversation_teams: dict[int, int] = {}
        self.presence_budget = protocol.TokenBucket(protocol.PRESENCE_BURST, protocol.PRESENCE_RATE)
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        try:
            self.subscription = await database_sync_to_async(realtime.subscription_for)(user)
        except InboxError:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.channel_layer.group_add(
            agent_group(self.subscription.agent_id), self.channel_name
        )
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "subscription"):
            return
        for conversation_id, (team_id, _) in list(self.presence.items()):
            await self._broadcast_presence(
                team_id, Presence(conversation_id, PresenceState.LEFT, None)
            )
        for group in self._groups():
            await self.channel_layer.group_discard(group, self.channel_name)

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale DB connections before every message, a thread hop each time.
        # Doorbells with inline events touch no database, and every DB read here goes through
        # database_sync_to_async, which does the same housekeeping itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # --- client frames ------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            if text_data is None:
                raise ProtocolError("binary_unsupported", "Send JSON text frames.")
            frame = protocol.parse_frame(text_data)
            if isinstance(frame, Hello):
                await self._on_hello(frame)
            elif isinstance(frame, Ping):
                await self._on_ping(frame)
            else:
                await self._on_presence(frame)
        except ProtocolError as error:
            await self._send(protocol.error_frame(error))
            if error.code == "frame_too_large":
                await self.close(code=CLOSE_TOO_LARGE)

    async def _on_hello(self, hello: Hello) -> None:
        if self.cursors:
            raise ProtocolError("already_subscribed", "This connection has said hello already.")
        visible = self.subscription.team_ids
        wanted = hello.teams if hello.teams is not None else visible | set(hello.last_seq)
        foreign = sorted((wanted | set(hello.last_seq)) - visible)
        if foreign:
            raise ProtocolError("team_not_visible", "You are not in these teams.", team_ids=foreign)
        teams = sorted(wanted)
        # Join first, read the log second: an event committed in between is rung to us and
        # de-duplicated by seq, so nothing falls into the gap.
        for team_id in teams:
            await self.channel_layer.group_add(team_group(team_id), self.channel_name)
        self.groups_joined_at = time.monotonic()
        fresh = [t for t in teams if t not in hello.last_seq]
        heads = await database_sync_to_async(realtime.team_heads)(fresh) if fresh else {}
        await self._send(
            {
                "type": "welcome",
                "agent": self.subscription.agent,
                "teams": teams,
                "heartbeat": {
                    "interval": protocol.HEARTBEAT_INTERVAL,
                    "timeout": protocol.HEARTBEAT_TIMEOUT,
                },
                "presence_ttl": protocol.PRESENCE_TTL,
            }
        )
        for team_id in teams:
            if team_id in hello.last_seq:
                self.cursors[team_id] = hello.last_seq[team_id]
                await self._catch_up(team_id)
            else:
                self.cursors[team_id] = heads.get(team_id, 0)
        await self._send(
            {"type": "caught_up", "last_seq": {str(t): s for t, s in self.cursors.items()}}
        )

    async def _on_ping(self, ping: Ping) -> None:
        await self._send({"type": "pong", "id": ping.id})
        if not self.cursors:
            return
        if time.monotonic() - self.groups_joined_at > REJOIN_AFTER_SECONDS:
            for group in self._groups():
                await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined_at = time.monotonic()
        # The channel layer may drop a doorbell; a ping bounds how long such a gap can last.
        heads = await database_sync_to_async(realtime.team_heads)(list(self.cursors))
        for team_id, head in heads.items():
            if head != self.cursors.get(team_id, head):
                await self._catch_up(team_id)

    async def _on_presence(self, frame: Presence) -> None:
        if not self.presence_budget.take():
            raise ProtocolError(
                "rate_limited",
                f"At most {protocol.PRESENCE_RATE:g} presence frames a second; this one was "
                "dropped.",
            )
        team_id = await self._team_of(frame.conversation_id)
        if frame.state == PresenceState.LEFT:
            self.presence.pop(frame.conversation_id, None)
        else:
            if (
                frame.conversation_id not in self.presence
                and len(self.presence) >= protocol.PRESENCE_PER_CONNECTION_MAX
            ):
                raise ProtocolError(
                    "too_many_presences",
                    f"At most {protocol.PRESENCE_PER_CONNECTION_MAX} conversations at once; "
                    "send state 'left' for the ones you closed.",
                )
            self.presence[frame.conversation_id] = (team_id, frame)
        await self._broadcast_presence(team_id, frame)

    async def _team_of(self, conversation_id: int) -> int:
        """The conversation's team if this user may see it; cached for typing bursts."""
        team_id = self.conversation_teams.get(conversation_id)
        if team_id is None:
            try:
                conversation = await database_sync_to_async(access.access_conversation)(
                    self.scope["user"], conversation_id
                )
            except InboxError as error:
                raise ProtocolError(
                    "conversation_not_found", error.message, conversation_id=conversation_id
                ) from None
            team_id = conversation.team_id
            if len(self.conversation_teams) >= CONVERSATION_CACHE_MAX:
                self.conversation_teams.clear()
            self.conversation_teams[conversation_id] = team_id
        return team_id

    # --- channel-layer messages ---------------------------------------------------------------

    async def inbox_events(self, message: dict[str, Any]) -> None:
        """A doorbell from ``inbox.events.ring``: the team's log grew to ``last_seq``."""
        team_id = message["team_id"]
        sent = self.cursors.get(team_id)
        if sent is None or message["last_seq"] <= sent:
            return  # not subscribed yet, or replay delivered these already
        inline = message.get("events")
        if inline is not None and message["first_seq"] == sent + 1:
            # The usual case: exactly the next events, the same frame for every local client.
            self.cursors[team_id] = message["last_seq"]
            await self.send(text_data=shared_events_frame(team_id, inline))
        elif inline is not None and message["first_seq"] <= sent:
            await self._deliver(team_id, [e for e in inline if e["seq"] > sent])
        else:
            await self._catch_up(team_id)

    async def inbox_notice(self, message: dict[str, Any]) -> None:
        """Something addressed to this agent alone (e.g. a conversation assigned to them)."""
        await self._send({"type": "notice", "kind": message["kind"], **message["body"]})

    async def presence_update(self, message: dict[str, Any]) -> None:
        if message["origin"] == self.channel_name or message["team_id"] not in self.cursors:
            return
        await self._send({"type": "presence", **message["presence"]})

    # --- helpers ------------------------------------------------------------------------------

    async def _catch_up(self, team_id: int) -> None:
        replay = await database_sync_to_async(realtime.events_since)(
            team_id=team_id, after=self.cursors[team_id]
        )
        if replay.resync is not None:
            self.cursors[team_id] = replay.head
            await self._send(
                {
                    "type": "resync",
                    "team_id": team_id,
                    "reason": str(replay.resync),
                    "head_seq": replay.head,
                }
            )
            return
        events = replay.events  # the cursor cannot move during the read: dispatch is serial
        for start in range(0, len(events), EVENTS_PER_FRAME):
            chunk = events[start : start + EVENTS_PER_FRAME]
            self.cursors[team_id] = chunk[-1].seq
            await self.send(
                text_data=f'{{"type":"events","team_id":{team_id},"events":['
                + ",".join(e.json for e in chunk)
                + "]}"
            )

    async def _deliver(self, team_id: int, events: list[dict[str, Any]]) -> None:
        if events:
            self.cursors[team_id] = events[-1]["seq"]
            await self.send(text_data=_events_frame(team_id, events))

    async def _broadcast_presence(self, team_id: int, frame: Presence) -> None:
        await self.channel_layer.group_send(
            team_group(team_id),
            {
                "type": "presence.update",
                "origin": self.channel_name,
                "team_id": team_id,
                "presence": {
                    "conversation_id": frame.conversation_id,
                    "team_id": team_id,
                    "agent": self.subscription.agent,
                    "state": str(frame.state),
                    "mode": str(frame.mode) if frame.mode else None,
                    "ttl": protocol.PRESENCE_TTL,
                },
            },
        )

    def _groups(self) -> list[str]:
        return [agent_group(self.subscription.agent_id)] + [team_group(t) for t in self.cursors]

    async def _send(self, frame: dict[str, Any]) -> None:
        await self.send(text_data=protocol.dumps(frame))
