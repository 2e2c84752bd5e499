"""One channel-layer subscription per team per web process, fanned out to its connections.

Every connection of a team in this process used to be a member of the team's group itself, so
each doorbell was queued, deserialised, dispatched and encoded once per connection. Here the
process joins each team group once (a hub channel per event loop), decodes a doorbell once,
builds its ``events`` frame once, and hands the same text to each subscribed connection with a
plain method call; the connection decides (by its per-team cursor) whether to send it.

The hub adds no guarantee and takes none away: the channel layer stays a doorbell
(docs/architecture.md §5), and each connection still fills gaps from the durable log.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import weakref
from collections.abc import Sequence
from typing import Any, Protocol

from inbox.events.doorbell import team_group

logger = logging.getLogger(__name__)


class Member(Protocol):
    """A connection subscribed to team streams (``web.ws.consumer.InboxConsumer``)."""

    channel_name: str

    def on_doorbell(
        self, team_id: int, first_seq: int, last_seq: int, wire: Sequence[str] | None, frame: str
    ) -> None: ...

    def on_presence(self, team_id: int, origin: str, frame: str) -> None: ...


def events_frame(team_id: int, wire: Sequence[str]) -> str:
    """An ``events`` frame from events already in their JSON wire form."""
    return f'{{"type":"events","team_id":{team_id},"events":[' + ",".join(wire) + "]}"


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class TeamHub:
    """The team groups this process (event loop) listens to, and who listens locally."""

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.members: dict[int, set[Member]] = {}
        self.channel: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def join(self, team_id: int, member: Member) -> None:
        """Subscribe ``member``; when this returns, every later doorbell of the team reaches it."""
        async with self._lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel(prefix="hub.")
                self._task = asyncio.ensure_future(self._receive(self.channel))
            members = self.members.setdefault(team_id, set())
            if not members:
                await self.layer.group_add(team_group(team_id), self.channel)
            members.add(member)

    def drop(self, member: Member) -> None:
        """Stop handing anything to ``member`` at once (no I/O; ``leave`` tidies the groups)."""
        for members in self.members.values():
            members.discard(member)

    async def leave(self, member: Member) -> None:
        async with self._lock:
            self.drop(member)
            for team_id in [t for t, m in self.members.items() if not m]:
                del self.members[team_id]
                if self.channel is not None:
                    await self.layer.group_discard(team_group(team_id), self.channel)
            if not self.members and self._task is not None:
                self._task.cancel()  # the layer unsubscribes the channel on cancellation
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
                self._task = None
                self.channel = None

    async def rejoin(self) -> None:
        """Join every team group again (layers that expire group membership forget us)."""
        async with self._lock:
            if self.channel is not None:
                for team_id in self.members:
                    await self.layer.group_add(team_group(team_id), self.channel)

    async def _receive(self, channel: str) -> None:
        while True:
            try:
                message = await self.layer.receive(channel)
            except Exception:  # the clients' pings fill from the log what is lost meanwhile
                logger.exception("the team hub could not receive")
                await asyncio.sleep(1)
                continue
            try:
                self.dispatch(message)
            except Exception:
                logger.exception("fan-out of a %s message failed", message.get("type"))

    def dispatch(self, message: dict[str, Any]) -> None:
        members = self.members.get(message.get("team_id"))  # type: ignore[arg-type]
        if not members:
            return
        kind = message.get("type")
        if kind == "inbox.events":
            team_id = message["team_id"]
            wire: Sequence[str] | None = message.get("wire")
            if wire is None and message.get("events") is not None:  # a doorbell of an old version
                wire = [_dumps(event) for event in message["events"]]
            frame = events_frame(team_id, wire) if wire else ""
            first, last = message["first_seq"], message["last_seq"]
            for member in list(members):
                try:
                    member.on_doorbell(team_id, first, last, wire, frame)
                except Exception:
                    logger.exception("a connection failed on a doorbell")
        elif kind == "presence.update":
            team_id, origin = message["team_id"], message["origin"]
            frame = _dumps({"type": "presence", **message["presence"]})
            for member in list(members):
                try:
                    member.on_presence(team_id, origin, frame)
                except Exception:
                    logger.exception("a connection failed on a presence update")


# One hub per (event loop, channel layer): tests run a loop per test and swap layers.
_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, TeamHub] = weakref.WeakKeyDictionary()


def hub_for(layer: Any) -> TeamHub:
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None or hub.layer is not layer:
        hub = _hubs[loop] = TeamHub(layer)
    return hub
