"""Agents' replies: rendered once with the agent's signature, stored queued, then delivered."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from inbox.audit import audit
from inbox.composer.rendering import RenderedReply, render_reply
from inbox.events.kinds import reply_created_event
from inbox.events.log import announce
from inbox.exceptions import ReplyEmpty, ReplyTooLong
from inbox.metrics.recording import record_reply
from inbox.models import Agent, AuditAction, Conversation, DeliveryState, Direction, Message
from inbox.permissions.access import access_conversation, agent_of
from inbox.selectors.messages import message_get_latest_inbound_external_id
from inbox.services._common import check_version, touch

logger = logging.getLogger(__name__)


def reply_preview(*, agent: Agent, conversation: Conversation, body: str) -> RenderedReply:
    """Exactly what the customer would see, and its length against the channel's limit."""
    return render_reply(
        body,
        platform=conversation.account.platform,
        kind=conversation.kind,
        public_name=agent.public_name,
        initials=agent.initials,
        signature_template=agent.signatures.get(conversation.account.platform),
    )


@transaction.atomic(durable=True)
def reply_create(
    *,
    user: AbstractBaseUser,
    conversation_id: int,
    body: str,
    expected_version: int | None = None,
) -> Message:
    """Store a reply as queued and hand it to the delivery worker after commit.

    Replying to an unassigned conversation claims it: the person who answers owns it.
    """
    agent = agent_of(user)
    conversation = access_conversation(user, conversation_id, for_update=True)
    check_version(conversation, expected_version)
    return reply_create_locked(agent=agent, conversation=conversation, body=body)


def reply_create_locked(*, agent: Agent, conversation: Conversation, body: str) -> Message:
    """The body of :func:`reply_create`, for services that reply as one step of a larger
    transaction (a handover). The caller holds the conversation's row lock."""
    rendered = _checked_render(agent, conversation, body)
    now = timezone.now()
    message = _store_reply(agent, conversation, rendered, now)
    _mark_answered(agent, conversation, now)
    audit(
        AuditAction.REPLY_SENT,
        actor=agent,
        object_type="message",
        object_id=message.pk,
        team_id=conversation.team_id,
        details={"conversation_id": conversation.pk, "text": message.text},
    )
    announce(reply_created_event(conversation=conversation, message=message, actor=agent))
    transaction.on_commit(lambda: enqueue_delivery(message.pk))
    return message


def _checked_render(agent: Agent, conversation: Conversation, body: str) -> RenderedReply:
    """The reply as sent, refused when empty or over the channel's limit."""
    rendered = reply_preview(agent=agent, conversation=conversation, body=body)
    if rendered.length == 0:
        raise ReplyEmpty(
            "A reply needs text: spaces and invisible characters alone do not count.",
            field="body",
            length=0,
            limit=rendered.limit,
        )
    if not rendered.fits:
        raise ReplyTooLong(
            f"This reply is {rendered.length} characters as the platform counts them "
            f"(signature included); the limit here is {rendered.limit}.",
            field="body",
            length=rendered.length,
            limit=rendered.limit,
        )
    return rendered


def _store_reply(
    agent: Agent, conversation: Conversation, rendered: RenderedReply, now: datetime
) -> Message:
    """The reply, queued for delivery, as an answer to the customer's latest message."""
    answered = message_get_latest_inbound_external_id(conversation=conversation)
    return Message.objects.create(
        conversation=conversation,
        account=conversation.account,
        direction=Direction.OUTBOUND,
        body=rendered.body,
        signature=rendered.signature,
        text=rendered.text,
        author_agent=agent,
        in_reply_to_external_id=answered or "",
        platform_time=now,
        received_at=now,
        delivery_state=DeliveryState.QUEUED,
    )


def _mark_answered(agent: Agent, conversation: Conversation, now: datetime) -> None:
    """Nobody waits any more; an unassigned conversation now belongs to whoever answered."""
    conversation.waiting_since = None
    conversation.last_message_at = now
    fields = ["waiting_since", "last_message_at"]
    if conversation.assignee_id is None:
        conversation.assignee = agent
        fields.append("assignee")
    touch(conversation, *fields)
    record_reply(conversation, at=now, agent_id=agent.pk)  # response-time intervals


def enqueue_delivery(message_id: int) -> None:
    """Hand the reply to the delivery worker (``settings.SVAR_DELIVERY_ENQUEUE``). If Redis is
    away the reply stays queued and the dispatcher re-queues it later."""
    try:
        import_string(settings.SVAR_DELIVERY_ENQUEUE)(message_id)
    except Exception:
        logger.warning("could not queue delivery of message %s", message_id, exc_info=True)
