"""The Messenger messaging window: how (and whether) the Page may still answer a customer.

A standard reply (``messaging_type=RESPONSE``) is allowed within 24 h of the customer's last
message; a human agent may answer up to 7 days with ``MESSAGE_TAG`` + ``HUMAN_AGENT``; after
that Graph refuses (error 10/2018278) until the customer writes again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from connectors.errors import OutsideMessagingWindow

STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
# Decide a little early: the request reaches Graph some time after we decide.
SAFETY_MARGIN = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class SendPolicy:
    messaging_type: str  # "RESPONSE" or "MESSAGE_TAG"
    tag: str | None = None  # "HUMAN_AGENT" with MESSAGE_TAG


RESPONSE = SendPolicy("RESPONSE")
HUMAN_AGENT = SendPolicy("MESSAGE_TAG", "HUMAN_AGENT")


def send_policy(customer_last_message_at: datetime, now: datetime) -> SendPolicy:
    """How to send a reply now, or ``OutsideMessagingWindow`` when no reply is allowed."""
    age = now - customer_last_message_at
    if age <= STANDARD_WINDOW - SAFETY_MARGIN:
        return RESPONSE
    if age <= HUMAN_AGENT_WINDOW - SAFETY_MARGIN:
        return HUMAN_AGENT
    raise OutsideMessagingWindow(
        f"The customer last wrote {_days(age)} ago; Messenger allows a reply for 7 days "
        "(24 hours without the human-agent tag). The customer must write again first."
    )


def _days(age: timedelta) -> str:
    return f"{age.total_seconds() / 86400:.1f} days"
