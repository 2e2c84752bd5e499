"""The live inbox's client protocol: parsing client frames and shaping server frames.

Pure functions, no I/O; ``docs/realtime.md`` is the reader's version of this module.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from inbox.stored_text import Text

# A client frame is a small JSON object; anything larger is refused and the socket closed.
FRAME_MAX_BYTES = 16 * 1024
TEAMS_PER_HELLO_MAX = 500
# Clients ping every HEARTBEAT_INTERVAL seconds and give up on a pong after HEARTBEAT_TIMEOUT.
HEARTBEAT_INTERVAL = 25
HEARTBEAT_TIMEOUT = 10
# Presence lives this long unless the client repeats it; clients refresh every third of it.
PRESENCE_TTL = 15
PRESENCE_PER_CONNECTION_MAX = 20
# Presence frames are broadcast to a whole team: a connection may send a burst of this many,
# refilled at PRESENCE_RATE a second; the rest are refused (``rate_limited``).
PRESENCE_BURST = 10
PRESENCE_RATE = 2.0
# Conversations a connection follows through a mention's grant (issue #17; web/ws/guest_stream.py).
GUEST_PER_CONNECTION_MAX = 20


# What an error frame says, by code, when the raiser gives no message of its own. Translated when
# the frame is written, in the connection's language (the consumer activates it).
MESSAGES: dict[str, Any] = {
    "binary_unsupported": _("Send JSON text frames."),
    "already_subscribed": _("This connection has said hello already."),
    "team_not_visible": _("You are not in these teams."),
    "rate_limited": Text(
        _("At most %(rate)s presence frames a second; this one was dropped."),
        rate=format(PRESENCE_RATE, "g"),
    ),
    "too_many_presences": Text(
        _("At most %(n)s conversations at once; send state 'left' for the ones you closed."),
        n=PRESENCE_PER_CONNECTION_MAX,
    ),
}


class ProtocolError(Exception):
    """A client frame the server refuses; answered with an ``error`` frame."""

    def __init__(self, code: str, message: Any = None, **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.text = MESSAGES.get(code, code) if message is None else message
        self.details = details

    @property
    def message(self) -> str:
        """In the language active now (a gettext_lazy id or an inbox.stored_text.Text)."""
        return str(self.text)


class TokenBucket:
    """``burst`` tokens, refilled at ``rate`` a second; ``take`` says whether one was left."""

    def __init__(self, burst: int, rate: float) -> None:
        self.burst, self.rate = burst, rate
        self.tokens = float(burst)
        self.checked = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.checked) * self.rate)
        self.checked = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class PresenceState(StrEnum):
    VIEWING = "viewing"
    TYPING = "typing"
    LEFT = "left"


class ComposeMode(StrEnum):
    REPLY = "reply"  # a public reply to the customer
    NOTE = "note"  # an internal note


@dataclass(frozen=True, slots=True)
class Hello:
    last_seq: dict[int, int]  # team → last seq the client applied; absent: start at the head
    teams: frozenset[int] | None  # None: every team the user may see
    notifications_seq: int | None = None  # the last notification applied; None: from the head
    guest: dict[int, int] | None = None  # granted conversation → last team seq applied for it


@dataclass(frozen=True, slots=True)
class Follow:
    """Follow a conversation the user reads through a grant, from ``last_seq`` of its team."""

    conversation_id: int
    last_seq: int


@dataclass(frozen=True, slots=True)
class Ping:
    id: str | int | None


@dataclass(frozen=True, slots=True)
class Presence:
    conversation_id: int
    state: PresenceState
    mode: ComposeMode | None  # only while typing


ClientFrame = Hello | Ping | Presence | Follow


def _int(value: Any, name: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ProtocolError(
            "bad_field",
            Text(_("%(name)s must be an integer >= %(minimum)s."), name=name, minimum=minimum),
            field=name,
        )
    return value


def _digits(key: Any) -> Any:
    """A JSON object's key that names an id ("17") as the number."""
    return int(key) if isinstance(key, str) and key.isascii() and key.isdigit() else key


def _team_id(key: Any) -> int:
    return _int(_digits(key), "team_id", minimum=1)


def _hello(frame: dict[str, Any]) -> Hello:
    raw_seq = frame.get("last_seq", {})
    if not isinstance(raw_seq, dict):
        raise ProtocolError("bad_field", _("last_seq maps team ids to integers."), field="last_seq")
    raw_teams = frame.get("teams")
    if raw_teams is not None and not isinstance(raw_teams, list):
        raise ProtocolError("bad_field", _("teams is a list of team ids."), field="teams")
    if len(raw_seq) > TEAMS_PER_HELLO_MAX or len(raw_teams or ()) > TEAMS_PER_HELLO_MAX:
        raise ProtocolError(
            "bad_field",
            Text(_("At most %(n)s teams."), n=TEAMS_PER_HELLO_MAX),
            field="teams",
        )
    last_seq = {_team_id(k): _int(v, "last_seq") for k, v in raw_seq.items()}
    teams = None if raw_teams is None else frozenset(_team_id(t) for t in raw_teams)
    raw_notifications = frame.get("notifications_seq")
    notifications = None if raw_notifications is None else _int(raw_notifications, "last_seq")
    guest = _guest_map(frame.get("guest", {}))
    return Hello(last_seq, teams, notifications_seq=notifications, guest=guest)


def _guest_map(raw: Any) -> dict[int, int]:
    if not isinstance(raw, dict):
        raise ProtocolError("bad_field", "guest maps conversation ids to integers.", field="guest")
    if len(raw) > GUEST_PER_CONNECTION_MAX:
        raise ProtocolError(
            "bad_field", f"At most {GUEST_PER_CONNECTION_MAX} conversations.", field="guest"
        )
    return {_int(_digits(k), "guest", minimum=1): _int(v, "guest") for k, v in raw.items()}


def _follow(frame: dict[str, Any]) -> Follow:
    conversation_id = _int(frame.get("conversation_id"), "conversation_id", minimum=1)
    return Follow(conversation_id, _int(frame.get("last_seq"), "last_seq"))


def _ping(frame: dict[str, Any]) -> Ping:
    ping_id = frame.get("id")
    if ping_id is not None and (
        isinstance(ping_id, bool) or not isinstance(ping_id, str | int) or len(str(ping_id)) > 64
    ):
        raise ProtocolError("bad_field", _("id is a short string or an integer."), field="id")
    return Ping(id=ping_id)


def _presence(frame: dict[str, Any]) -> Presence:
    conversation_id = _int(frame.get("conversation_id"), "conversation_id", minimum=1)
    try:
        state = PresenceState(frame.get("state"))
    except ValueError:
        raise ProtocolError(
            "bad_field", _("state is viewing, typing or left."), field="state"
        ) from None
    mode = None
    if state == PresenceState.TYPING:
        try:
            mode = ComposeMode(frame.get("mode", ComposeMode.REPLY))
        except ValueError:
            raise ProtocolError("bad_field", _("mode is reply or note."), field="mode") from None
    return Presence(conversation_id=conversation_id, state=state, mode=mode)


_PARSERS = {"hello": _hello, "ping": _ping, "presence": _presence, "follow": _follow}


def parse_frame(text: str) -> ClientFrame:
    """One client text frame, validated; raises :class:`ProtocolError` on anything else."""
    if len(text.encode()) > FRAME_MAX_BYTES:
        raise ProtocolError(
            "frame_too_large",
            Text(_("Frames are at most %(limit)s bytes."), limit=FRAME_MAX_BYTES),
            limit=FRAME_MAX_BYTES,
        )
    try:
        frame = json.loads(text)
    except ValueError:
        raise ProtocolError("malformed_json", _("The frame is not valid JSON.")) from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise ProtocolError("bad_frame", _("A frame is a JSON object with a string 'type'."))
    parser = _PARSERS.get(frame["type"])
    if parser is None:
        raise ProtocolError(
            "unknown_type",
            Text(_("Unknown frame type %(frame)s."), frame=repr(frame["type"][:40])),
            known=sorted(_PARSERS),
        )
    return parser(frame)


def dumps(frame: dict[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


def error_frame(error: ProtocolError) -> dict[str, Any]:
    return {"type": "error", "code": error.code, "message": error.message, **error.details}
