"""How long the platform still lets us answer a private conversation (Messenger: 24 h / 7 days).

The delivery job decides with ``connectors.facebook.window``; this shows the same rule to the
agent before they write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from connectors.base import Platform, ThreadKind
from connectors.facebook.window import HUMAN_AGENT_WINDOW, SAFETY_MARGIN, STANDARD_WINDOW


class WindowState(StrEnum):
    STANDARD = "standard"  # a normal reply is allowed
    HUMAN_AGENT = "human_agent"  # only a human agent's reply, tagged HUMAN_AGENT
    CLOSED = "closed"  # the customer must write again first


@dataclass(frozen=True, slots=True)
class ReplyWindow:
    state: WindowState
    standard_until: datetime
    closes_at: datetime


def reply_window(
    *, platform: str, kind: str, customer_last_message_at: datetime | None, now: datetime
) -> ReplyWindow | None:
    """The window of a Messenger or Instagram DM conversation; None where the platform sets
    no window (Instagram's is Messenger's: 24 h, then 7 days with HUMAN_AGENT)."""
    if platform not in (Platform.FACEBOOK, Platform.INSTAGRAM) or kind != ThreadKind.PRIVATE:
        return None
    if customer_last_message_at is None:
        return None
    standard_until = customer_last_message_at + STANDARD_WINDOW - SAFETY_MARGIN
    closes_at = customer_last_message_at + HUMAN_AGENT_WINDOW - SAFETY_MARGIN
    if now <= standard_until:
        state = WindowState.STANDARD
    elif now <= closes_at:
        state = WindowState.HUMAN_AGENT
    else:
        state = WindowState.CLOSED
    return ReplyWindow(state=state, standard_until=standard_until, closes_at=closes_at)
