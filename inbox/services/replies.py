"""Agents' replies: rendered once with the agent's signature, stored queued, then delivered."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inbox.audit import audit
from inbox.composer.rendering import RenderedReply, render_reply
from inbox.events.kinds import reply_approval_changed_event, reply_created_event
from inbox.events.log import announce
from inbox.exceptions import GuidelineBlocked, ReplyEmpty, ReplyTooLong
from inbox.guidelines.verdict import Verdict
from inbox.metrics.recording import record_reply
from inbox.models import Agent, AuditAction, Conversation, DeliveryState, Direction, Message
from inbox.permissions.access import access_conversation, agent_of
from inbox.selectors.guidelines import reply_verdict
from inbox.selectors.messages import message_get_latest_inbound_external_id
from inbox.services._common import check_version, touch
from inbox.services.reply_attachments import attachments_take_locked
from inbox.stored_text import Text

logger = logging.getLogger(__name__)


def reply_preview(
    *, agent: Agent, conversation: Conversation, body: str, files: bool = False
) -> RenderedReply:
    """Exactly what the customer would see, and its length against the channel's limit.
    ``files``: the reply carries attachments (then it may have no text of its own)."""
    return render_reply(
        body,
        platform=conversation.account.platform,
        kind=conversation.kind,
        public_name=agent.public_name,
        initials=agent.initials,
        signature_template=agent.signatures.get(conversation.account.platform),
        files=files,
    )


@transaction.atomic(durable=True)
def reply_create(
    *,
    user: AbstractBaseUser,
    conversation_id: int,
    body: str,
    expected_version: int | None = None,
    attachment_ids: list[int] | None = None,
) -> Message:
    """Store a reply as queued and hand it to the delivery worker after commit.

    Replying to an unassigned conversation claims it: the person who answers owns it.
    ``attachment_ids``: files uploaded for this conversation, posted with the reply.
    """
    agent = agent_of(user)
    conversation = access_conversation(user, conversation_id, for_update=True)
    check_version(conversation, expected_version)
    return reply_create_locked(
        agent=agent, conversation=conversation, body=body, attachment_ids=attachment_ids or []
    )


def reply_create_locked(
    *, agent: Agent, conversation: Conversation, body: str, attachment_ids: Sequence[int] = ()
) -> Message:
    """The body of :func:`reply_create`, for services that reply as one step of a larger
    transaction (a handover). The caller holds the conversation's row lock.

    The team's guidelines are enforced here, for every way a reply is made: a blocked reply is
    refused; one that needs approval is stored waiting for an approver and not delivered.
    The attachments are taken before the events are built, so ``reply.created`` lists them."""
    rendered = checked_render(agent, conversation, body, files=bool(attachment_ids))
    verdict = enforce_guidelines(agent, conversation, rendered.body)
    now = timezone.now()
    held = verdict.needs_approval
    message = _store_reply(agent, conversation, rendered, now, held=held)
    attachments_take_locked(
        conversation=conversation, message=message, attachment_ids=list(attachment_ids)
    )
    if held:
        _claim(agent, conversation)
    else:
        _mark_answered(agent, conversation, now)
    audit(
        AuditAction.REPLY_HELD if held else AuditAction.REPLY_SENT,
        actor=agent,
        object_type="message",
        object_id=message.pk,
        team_id=conversation.team_id,
        details={"conversation_id": conversation.pk, "text": message.text}
        | ({"guidelines": [h.as_dict() for h in verdict.hits]} if verdict.hits else {}),
    )
    events = [reply_created_event(conversation=conversation, message=message, actor=agent)]
    if held:
        from inbox.services.approval import reply_hold_locked  # approval imports this module

        approval = reply_hold_locked(message=message, verdict=verdict, now=now)
        events.append(reply_approval_changed_event(message=message, approval=approval, actor=agent))
    else:
        transaction.on_commit(lambda: enqueue_delivery(message.pk))
    announce(*events)
    return message


def enforce_guidelines(agent: Agent, conversation: Conversation, body: str) -> Verdict:
    """The verdict on ``body``; raises GuidelineBlocked (naming each rule and what it matched,
    in the agent's language) when a rule blocks it."""
    verdict = reply_verdict(agent=agent, conversation=conversation, body=body)
    if verdict.blocked:
        blocking = verdict.of_action("block")
        with translation.override(agent.language or translation.get_language()):
            message = _("The team's guidelines do not allow this reply: %(reasons)s") % {
                "reasons": " ".join(h.message for h in blocking)
            }
        raise GuidelineBlocked(message, field="body", hits=[h.as_dict() for h in verdict.hits])
    return verdict


def checked_render(
    agent: Agent, conversation: Conversation, body: str, *, files: bool = False
) -> RenderedReply:
    """The reply as sent, refused when it has neither text nor files, or is over the channel's
    limit. With files and no text the posted text is the signature alone (every channel that
    takes files takes them without text: ``attachment_rules``)."""
    rendered = reply_preview(agent=agent, conversation=conversation, body=body, files=files)
    if rendered.length == 0:
        raise ReplyEmpty(
            gettext_lazy(
                "A reply needs text or a file: spaces and invisible characters alone do not count."
            ),
            field="body",
            length=0,
            limit=rendered.limit,
        )
    if not rendered.fits:
        raise ReplyTooLong(
            Text(
                gettext_lazy(
                    "This reply is %(length)s characters as the platform counts them "
                    "(signature included); the limit here is %(limit)s."
                ),
                length=rendered.length,
                limit=rendered.limit,
            ),
            field="body",
            length=rendered.length,
            limit=rendered.limit,
        )
    return rendered


def _store_reply(
    agent: Agent, conversation: Conversation, rendered: RenderedReply, now: datetime, *, held: bool
) -> Message:
    """The reply, queued for delivery (or held for approval), as an answer to the customer's
    latest message."""
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
        delivery_state=DeliveryState.AWAITING_APPROVAL if held else DeliveryState.QUEUED,
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


def mark_answered_locked(*, agent: Agent, conversation: Conversation, now: datetime) -> None:
    """A held reply was approved: the customer is answered now (the SLA clock ran while the
    reply waited). The caller holds the conversation's row lock."""
    _mark_answered(agent, conversation, now)


def _claim(agent: Agent, conversation: Conversation) -> None:
    """A reply waiting for approval answers nobody yet, but its author owns the conversation."""
    if conversation.assignee_id is None:
        conversation.assignee = agent
        touch(conversation, "assignee")


def enqueue_delivery(message_id: int) -> None:
    """Hand the reply to the delivery worker (``settings.SVAR_DELIVERY_ENQUEUE``). If Redis is
    away the reply stays queued and the dispatcher re-queues it later."""
    try:
        import_string(settings.SVAR_DELIVERY_ENQUEUE)(message_id)
    except Exception:
        logger.warning("could not queue delivery of message %s", message_id, exc_info=True)
