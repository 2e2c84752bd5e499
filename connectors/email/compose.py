"""An agent's reply as an e-mail: signed by name, threaded under the customer's mail.

- From: "Mette Jensen, Skattestyrelsen <kundeservice@…>": the agent's public name with the
  channel's address (the organisation's name after a comma when the settings give one).
- In-Reply-To: the customer's message answered; References: that message's chain, then it
  (RFC 5322 §3.6.4), so the customer's client shows one thread.
- Message-ID: fixed by the inbox before the first attempt (``extra["message_id"]``): the
  idempotency key the delivery job searches the Sent folder for after an unknown outcome.
- Body: the text as the agent wrote and signed it, plus an HTML alternative of the same text
  (escaped: nothing of the agent's text is markup).
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from connectors.base import OutboundReply
from connectors.email.config import MailSettings

REPLY_PREFIX = re.compile(r"^\s*((re|sv|vs|aw|fwd?|vb|fw|tr|antw)\s*(\[\d+\])?\s*:\s*)+", re.I)


def normalised_subject(subject: str) -> str:
    """The subject without reply and forward prefixes (the Nordic ones included), any case."""
    return " ".join(REPLY_PREFIX.sub("", subject).split()).casefold()


def reply_subject(subject: str) -> str:
    bare = REPLY_PREFIX.sub("", subject).strip()
    return f"Re: {bare}" if bare else "Re:"


def sender_name(settings: MailSettings, persona_name: str | None) -> str:
    names = [n for n in (persona_name, settings.organisation) if n]
    return ", ".join(names)


def build_reply(reply: OutboundReply, settings: MailSettings, now: datetime) -> EmailMessage:
    extra = reply.extra
    message = EmailMessage()
    user, _, domain = settings.address.partition("@")
    message["From"] = Address(sender_name(settings, reply.persona_name), user, domain)
    message["To"] = reply.recipient_external_id
    message["Subject"] = reply_subject(extra.get("subject", ""))
    message["Date"] = format_datetime(now.astimezone(UTC))
    message["Message-ID"] = extra["message_id"]
    answered = reply.in_reply_to_external_id
    if answered:
        message["In-Reply-To"] = answered
        chain = [r for r in extra.get("references", "").split() if r != answered]
        message["References"] = " ".join([*chain, answered])
    message.set_content(reply.body)
    message.add_alternative(_html(reply.body), subtype="html")
    return message


def _html(text: str) -> str:
    paragraphs = "".join(
        "<p>" + html.escape(block).replace("\n", "<br>") + "</p>"
        for block in text.split("\n\n")
        if block.strip()
    )
    return f'<!DOCTYPE html><html><body style="font-family: sans-serif">{paragraphs}</body></html>'
