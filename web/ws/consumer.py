"""The live inbox WebSocket: the team streams a user may see, catch-up, presence.

The consumer only parses frames (``web.ws.protocol``), reads through ``inbox.events.replay`` and
``inbox.permissions.access``, and serialises.
Delivery is exactly-once and in order per team because the
consumer keeps, per team, the last seq it sent: doorbells at or below it are dropped, and a
doorbell that skips ahead (lost or too large to inline) is filled from the durable log.

Doorbells and presence reach a connection through the process's team hub (``web.ws.fanout``): one
subscription per team per process, one decoded message and one encoded frame for all local
connections. Everything a connection sends goes through its outbox, written by a task of its
own, so a client that stops reading never blocks the others; when its backlog passes
``OUTBOX_MAX_CHARS`` it is closed with ``CLOSE_TOO_SLOW`` and catches up after reconnecting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections import deque
from collections.abc import Sequence
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils.translation import override as translation_override

from inbox.events import replay as event_replay
from inbox.events.doorbell import agent_group, team_group
from inbox.exceptions import InboxError
from inbox.permissions import access
from inbox.services.presence import agent_presence_seen
from web.agent_language import scope_language
from web.ws import protocol
from web.ws import stats as ws_stats
from web.ws.fanout import TeamHub, events_frame, hub_for
from web.ws.guest_stream import GuestStream
from web.ws.notification_stream import NotificationStream
from web.ws.protocol import Follow, Hello, Ping, Presence, PresenceState, ProtocolError

logger = logging.getLogger(__name__)

# Close codes (4000–4999 are the application's own).
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_SLOW = 4408  # the client did not read: its backlog passed OUTBOX_MAX_CHARS
CLOSE_ACCESS_CHANGED = 4409  # an admin changed the person's roles or teams: reconnect
CLOSE_TOO_LARGE = 1009
# The core channels-redis layer forgets group members after a day (group_expiry); joining
# again keeps a long-lived connection subscribed whichever Redis layer is configured.
REJOIN_AFTER_SECONDS = 3600
CONVERSATION_CACHE_MAX = 1000
EVENTS_PER_FRAME = 500
# Frames (characters of JSON) waiting for a client that reads too slowly. Beyond this the
# connection is closed (CLOSE_TOO_SLOW); the client reconnects and replays from the log. A
# replay waits for room instead, at most REPLAY_ROOM_WAIT seconds.
OUTBOX_MAX_CHARS = int(os.environ.get("SVAR_WS_OUTBOX_MAX_CHARS", 1_000_000))
REPLAY_ROOM_WAIT = 30.0


class _Close:
    __slots__ = ("code",)

    def __init__(self, code: int) -> None:
        self.code = code


class InboxConsumer(AsyncWebsocketConsumer):
    subscription: event_replay.Subscription
    cursors: dict[int, int]  # team → last seq sent on this connection (only after hello)
    groups_joined_at: float

    async def connect(self) -> None:
        self.cursors = {}
        self.groups_joined_at = 0.0
        self.presence: dict[int, tuple[int, Presence]] = {}  # conversation → (team, frame)
        self.conversation_teams: dict[int, int] = {}
        self.presence_budget = protocol.TokenBucket(protocol.PRESENCE_BURST, protocol.PRESENCE_RATE)
        # A team being read from the log: its doorbells only raise the mark to read up to.
        self.replaying: set[int] = set()
        self.rung: dict[int, int] = {}  # team → highest seq rung while replaying or in a gap
        self.replay_tasks: set[asyncio.Task[None]] = set()
        self.hub: TeamHub | None = None
        self.outbox: deque[str | _Close] = deque()
        self.outbox_chars = 0
        self.closing = False
        self.writer: asyncio.Task[None] | None = None
        self.wake = asyncio.Event()
        self.drained = asyncio.Event()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        try:
            self.subscription = await database_sync_to_async(event_replay.subscription_for)(user)
        except InboxError:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.notifications = NotificationStream(self.subscription.agent_id, self._send)
        self.guests = GuestStream(self)  # conversations read through a mention's grant
        await self.channel_layer.group_add(
            agent_group(self.subscription.agent_id), self.channel_name
        )
        await self.accept()
        await database_sync_to_async(agent_presence_seen)(agent_id=self.subscription.agent_id)
        self.writer = asyncio.ensure_future(self._write())
        ws_stats.track_backlog(self)

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "subscription"):
            return
        self.closing = True
        for task in list(self.replay_tasks):
            task.cancel()
        if self.hub is not None:
            await self.hub.leave(self)
        await self.guests.leave()
        for conversation_id, (team_id, _) in list(self.presence.items()):
            await self._broadcast_presence(
                team_id, Presence(conversation_id, PresenceState.LEFT, None)
            )
        await self.channel_layer.group_discard(
            agent_group(self.subscription.agent_id), self.channel_name
        )
        if self.writer is not None:
            self.writer.cancel()

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale DB connections before every message, a thread hop each time.
        # Every DB read here goes through database_sync_to_async, which does the same
        # housekeeping itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        if getattr(self, "writer", None) is None:
            await super().close(code, reason)  # refused at the handshake
        elif not self.closing:
            self.closing = True  # after the frames already queued, e.g. an error frame
            self.outbox.append(_Close(code if isinstance(code, int) else 1000))
            self.wake.set()

    # --- client frames ------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            if text_data is None:
                raise ProtocolError("binary_unsupported")
            frame = protocol.parse_frame(text_data)
            if isinstance(frame, Hello):
                await self._on_hello(frame)
            elif isinstance(frame, Ping):
                await self._on_ping(frame)
            elif isinstance(frame, Follow):
                await self.guests.on_follow(self.hub, frame)
            else:
                await self._on_presence(frame)
        except ProtocolError as error:
            with translation_override(scope_language(self.scope, self.subscription.language)):
                self._send(protocol.error_frame(error))
            if error.code == "frame_too_large":
                await self.close(code=CLOSE_TOO_LARGE)

    async def _on_hello(self, hello: Hello) -> None:
        if self.cursors or self.hub is not None:
            raise ProtocolError("already_subscribed")
        visible = self.subscription.team_ids
        wanted = hello.teams if hello.teams is not None else visible | set(hello.last_seq)
        foreign = sorted((wanted | set(hello.last_seq)) - visible)
        if foreign:
            raise ProtocolError("team_not_visible", team_ids=foreign)
        guests = await self.guests.granted(sorted(hello.guest or {}))
        teams = sorted(wanted)
        # Join first, read the log second: an event committed in between is rung to us and
        # read again if the read missed it, so nothing falls into the gap.
        self.replaying.update(teams)
        self.hub = hub_for(self.channel_layer)
        for team_id in teams:
            await self.hub.join(team_id, self)
        self.groups_joined_at = time.monotonic()
        fresh = [t for t in teams if t not in hello.last_seq]
        heads = await database_sync_to_async(event_replay.team_heads)(fresh) if fresh else {}
        self._send(
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
                await self._replay(team_id)
            else:
                self.cursors[team_id] = heads.get(team_id, 0)
        for team_id in teams:  # what was committed during the reads: live from here on
            if self.rung.get(team_id, 0) > self.cursors[team_id]:
                await self._catch_up(team_id)
            self.replaying.discard(team_id)
            self.rung.pop(team_id, None)
        await self.guests.follow(self.hub, guests, hello.guest or {})
        await self.notifications.start(hello.notifications_seq)
        self._send(
            {
                "type": "caught_up",
                "last_seq": {str(t): s for t, s in self.cursors.items()},
                "notifications_seq": self.notifications.cursor,
                **({"guest": self.guests.positions()} if hello.guest else {}),
            }
        )

    async def _on_ping(self, ping: Ping) -> None:
        # Online for automatic assignment (issue #17); recorded before the pong answers.
        await database_sync_to_async(agent_presence_seen)(agent_id=self.subscription.agent_id)
        self._send({"type": "pong", "id": ping.id})
        await self.notifications.check()  # a lost ring is made good within one heartbeat
        await self.guests.check()
        if not self.cursors or self.hub is None:
            return
        if time.monotonic() - self.groups_joined_at > REJOIN_AFTER_SECONDS:
            await self.channel_layer.group_add(
                agent_group(self.subscription.agent_id), self.channel_name
            )
            await self.hub.rejoin()
            self.groups_joined_at = time.monotonic()
        # The channel layer may drop a doorbell; a ping bounds how long such a gap can last.
        heads = await database_sync_to_async(event_replay.team_heads)(list(self.cursors))
        for team_id, head in heads.items():
            if head != self.cursors.get(team_id, head) and team_id not in self.replaying:
                await self._catch_up(team_id)

    async def _on_presence(self, frame: Presence) -> None:
        if not self.presence_budget.take():
            raise ProtocolError("rate_limited")
        team_id = await self._team_of(frame.conversation_id)
        if frame.state == PresenceState.LEFT:
            self.presence.pop(frame.conversation_id, None)
        else:
            if (
                frame.conversation_id not in self.presence
                and len(self.presence) >= protocol.PRESENCE_PER_CONNECTION_MAX
            ):
                raise ProtocolError("too_many_presences")
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
                    "conversation_not_found", error.text, conversation_id=conversation_id
                ) from None
            team_id = conversation.team_id
            if len(self.conversation_teams) >= CONVERSATION_CACHE_MAX:
                self.conversation_teams.clear()
            self.conversation_teams[conversation_id] = team_id
        return team_id

    # --- from the team hub (web.ws.fanout): plain calls, no I/O --------------------------------

    def on_doorbell(
        self, team_id: int, first_seq: int, last_seq: int, wire: Sequence[str] | None, frame: str
    ) -> None:
        """The team's log grew to ``last_seq``; ``wire`` holds the events when few."""
        if team_id in self.replaying:
            self.rung[team_id] = max(self.rung.get(team_id, 0), last_seq)
            return
        sent = self.cursors.get(team_id)
        if sent is None or last_seq <= sent:
            return  # not subscribed, or delivered already
        if wire and first_seq == sent + 1:
            # The usual case: exactly the next events, the same text for every local client.
            self.cursors[team_id] = last_seq
            self._push(frame, live=True)
        elif wire and first_seq <= sent:
            self.cursors[team_id] = last_seq
            self._push(events_frame(team_id, wire[sent + 1 - first_seq :]), live=True)
        elif not self.closing:  # a gap (a lost doorbell) or too many to inline: read the log
            self.rung[team_id] = last_seq
            self.replaying.add(team_id)
            task = asyncio.ensure_future(self._catch_up(team_id))
            self.replay_tasks.add(task)
            task.add_done_callback(self.replay_tasks.discard)

    def on_presence(self, team_id: int, origin: str, frame: str) -> None:
        if origin != self.channel_name and team_id in self.cursors:
            self._push(frame, live=True)

    # --- channel-layer messages addressed to this connection ----------------------------------

    async def inbox_notice(self, message: dict[str, Any]) -> None:
        """Something addressed to this agent alone (e.g. a conversation assigned to them)."""
        self._send({"type": "notice", "kind": message["kind"], **message["body"]})

    async def inbox_notification(self, message: dict[str, Any]) -> None:
        await self.notifications.on_ring(message)

    async def inbox_revoked(self, message: dict[str, Any]) -> None:
        """The person was deactivated, or an admin changed their roles or teams
        (inbox/services/sign_out.py): this connection ends now; a reconnect sees what they
        may see from now on."""
        await self.close(code=message.get("code", CLOSE_UNAUTHENTICATED))

    # --- helpers ------------------------------------------------------------------------------

    async def _catch_up(self, team_id: int) -> None:
        """Send the team's events after the cursor from the log; again while more were rung."""
        self.replaying.add(team_id)
        try:
            while True:
                await self._replay(team_id)
                if self.closing or self.rung.get(team_id, 0) <= self.cursors[team_id]:
                    return
        except Exception:
            # The next ping compares the cursor with the log head and tries again.
            logger.warning("replay of team %s failed", team_id, exc_info=True)
        finally:
            self.replaying.discard(team_id)
            self.rung.pop(team_id, None)

    async def _replay(self, team_id: int) -> None:
        replay = await database_sync_to_async(event_replay.events_since)(
            team_id=team_id, after=self.cursors[team_id]
        )
        if replay.resync is not None:
            self.cursors[team_id] = replay.head
            self._send(
                {
                    "type": "resync",
                    "team_id": team_id,
                    "reason": str(replay.resync),
                    "head_seq": replay.head,
                }
            )
            return
        events = replay.events  # the team's doorbells only raise self.rung meanwhile
        for start in range(0, len(events), EVENTS_PER_FRAME):
            chunk = events[start : start + EVENTS_PER_FRAME]
            if self.outbox_chars > OUTBOX_MAX_CHARS and not await self._room():
                return
            self.cursors[team_id] = chunk[-1].seq
            self._push(events_frame(team_id, [e.json for e in chunk]))

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

    # --- the outbox ---------------------------------------------------------------------------

    def _send(self, frame: dict[str, Any]) -> None:
        self._push(protocol.dumps(frame))

    def _push(self, text: str, *, live: bool = False) -> None:
        """Queue a frame. A live frame that finds the backlog full closes the connection."""
        if self.closing:
            return
        if live and self.outbox and self.outbox_chars + len(text) > OUTBOX_MAX_CHARS:
            self._too_slow()
            return
        self.outbox.append(text)
        self.outbox_chars += len(text)
        self.drained.clear()
        self.wake.set()

    def _too_slow(self) -> None:
        logger.info(
            "closing a connection of agent %s: %d characters not read",
            self.subscription.agent_id,
            self.outbox_chars,
        )
        ws_stats.closed_too_slow()
        if self.hub is not None:
            self.hub.drop(self)  # nothing more for it; the groups are left on disconnect
            self.hub.drop(self.guests)
        self.outbox.clear()
        self.outbox_chars = 0
        self.closing = True
        self.outbox.append(_Close(CLOSE_TOO_SLOW))
        self.wake.set()

    async def _room(self) -> bool:
        """Wait until the client has read the backlog; False (and closed) if it does not."""
        try:
            async with asyncio.timeout(REPLAY_ROOM_WAIT):
                await self.drained.wait()
        except TimeoutError:
            if not self.closing:
                self._too_slow()
            return False
        return not self.closing

    async def _write(self) -> None:
        """The only sender after the handshake: frames in order, then perhaps a close."""
        outbox = self.outbox
        with contextlib.suppress(Exception):  # the client went away: disconnect follows
            while True:
                while not outbox:
                    self.drained.set()
                    self.wake.clear()
                    await self.wake.wait()
                item = outbox.popleft()
                if isinstance(item, _Close):
                    await self.base_send({"type": "websocket.close", "code": item.code})
                    return
                self.outbox_chars -= len(item)
                await self.base_send({"type": "websocket.send", "text": item})
