"""Resolved conversations made through the real services, at a time a test chooses."""

from __future__ import annotations

from datetime import datetime, timedelta

from inbox.models import Agent, ChannelAccount, Conversation
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
