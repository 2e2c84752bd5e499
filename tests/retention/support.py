"""Resolved conversations made through the real services, at a time a test chooses, and the
stored files (photos, reply attachments) they carry."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from inbox.models import Agent, ChannelAccount, Conversation, Media, ReplyAttachment
from inbox.services import conversation_set_status, messages_ingest, note_create, reply_create
from tests.factories import inbound
from tests.inbox.metrics_support import Clock


def resolved_conversation(
    clock: Clock, account: ChannelAccount, agent: Agent, thread: str, at: datetime, wait: int = 10
) -> Conversation:
    """The customer wrote at ``at``, the agent answered and noted ``wait`` minutes later, and
    resolved it 10 minutes after that."""
    clock.at(at)
    messages_ingest(
        account_id=account.pk,
        messages=[inbound(thread=thread, author=f"cust-{thread}", name=f"Kunde {thread}", at=at)],
    )
    conversation = Conversation.objects.get(account=account, external_thread_id=thread)
    clock.at(at + timedelta(minutes=wait))
    reply_create(user=agent.user, conversation_id=conversation.pk, body=f"Svar {thread}")
    note_create(user=agent.user, conversation_id=conversation.pk, body=f"Note {thread}")
    clock.at(at + timedelta(minutes=wait + 10))
    conversation_set_status(user=agent.user, conversation_id=conversation.pk, status="resolved")
    clock.now = None
    return conversation


def _stored(root: Path, name: str, content: bytes) -> str:
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_bytes(content)
    return name


def with_photo(conversation: Conversation, root: Path, content: bytes = b"\xff\xd8 photo") -> Media:
    """A stored photo (file and thumbnail on disk) on the conversation's first message; its
    recorded size is the file's."""
    message = conversation.messages.order_by("pk").first()
    return Media.objects.create(
        message=message, kind="photo", state="stored", size=len(content),
        file=_stored(root, f"m/{message.pk}.jpg", content),
        thumbnail=_stored(root, f"t/{message.pk}.jpg", b"\xff\xd8 thumb"),
    )  # fmt: skip


def with_reply_attachment(
    conversation: Conversation, root: Path, content: bytes
) -> ReplyAttachment:
    """A file an agent posted with the conversation's reply (its last outbound message)."""
    reply = conversation.messages.filter(direction="out").order_by("pk").last()
    return ReplyAttachment.objects.create(
        team_id=conversation.team_id, conversation=conversation, message=reply, kind="file",
        filename="brev.pdf", content_type="application/pdf", size=len(content), sha256="0" * 64,
        file=_stored(root, f"r/{conversation.pk}.pdf", content),
    )  # fmt: skip
