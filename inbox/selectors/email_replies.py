"""What an e-mail reply needs beyond its text: its Message-ID, subject and thread chain."""

from __future__ import annotations

import hashlib

from inbox.models import Message

REFERENCES_KEPT = 20  # the newest Message-IDs of the thread, as References


def reply_message_id(message: Message) -> str:
    """The reply's Message-ID, the same on every attempt: the delivery's idempotency key. The
    hash makes it unique across databases (a restored or rebuilt Svar reuses primary keys)."""
    basis = f"{message.account.external_id}|{message.pk}|{message.received_at.isoformat()}"
    digest = hashlib.sha256(basis.encode()).hexdigest()[:16]
    domain = message.account.external_id.rpartition("@")[2] or "svar.invalid"
    return f"<svar-{message.pk}.{digest}@{domain}>"


def email_reply_extra(message: Message) -> dict[str, str]:
    conversation = message.conversation
    chain = list(
        Message.objects.filter(conversation=conversation, external_id__isnull=False)
        .exclude(pk=message.pk)
        .order_by("-platform_time", "-id")
        .values_list("external_id", flat=True)[:REFERENCES_KEPT]
    )
    return {
        "message_id": reply_message_id(message),
        "subject": conversation.subject,
        "references": " ".join(reversed(chain)),
    }
