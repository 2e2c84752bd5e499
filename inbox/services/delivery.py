"""The delivery state machine of a reply: queued → sending → sent | failed (→ queued on retry).

The attempt is recorded (``sending``) and committed before the platform is called, so a worker
killed mid-call leaves a trace: the next attempt first looks for the reply on the platform
instead of posting it again (DESIGN.md §6).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from inbox.audit import audit
from inbox.events import EventKind, PendingEvent, message_snapshot, record, snapshots_for
from inbox.exceptions import InvalidTransition, NotFound
from inbox.models import AgentPersona, AuditAction, DeliveryState, Direction, Message
from inbox.permissions.access import access_conversation, agent_of
from inbox.services.replies import enqueue_delivery


@dataclass(frozen=True, slots=True)
class DeliveryTicket:
    """Everything the delivery job needs to post one reply, read under the message's lock."""

    message_id: int
    account_id: int
    uncertain: bool  # an earlier attempt may have reached the platform
    started_at: datetime
    customer_last_message_at: datetime | None
    persona_id: str | None


def _locked_message(message_id: int) -> Message:
    try:
        return (
            Message.objects.select_for_update(of=("self",))
            .select_related("conversation", "account", "author_agent")
            .get(pk=message_id, direction=Direction.OUTBOUND)
        )
    except Message.DoesNotExist:
        raise NotFound(f"Reply {message_id} was not found.") from None


def _announce(message: Message) -> None:
    conversation = message.conversation
    record(
        [
            PendingEvent(
                EventKind.REPLY_DELIVERY,
                conversation,
                {
                    "conversation": snapshots_for([conversation])[conversation.pk],
                    "message": message_snapshot(message),
                },
            )
        ]
    )


@transaction.atomic(durable=True)
def reply_delivery_begin(*, message_id: int) -> DeliveryTicket | None:
    """Record an attempt. None when there is nothing to do (already sent, or failed for good)."""
    message = _locked_message(message_id)
    if message.delivery_state not in (DeliveryState.QUEUED, DeliveryState.SENDING):
        return None
    uncertain = message.delivery_state == DeliveryState.SENDING
    now = timezone.now()
    message.delivery_state = DeliveryState.SENDING
    message.delivery_attempts += 1
    message.delivery_started_at = message.delivery_started_at or now
    message.save(update_fields=["delivery_state", "delivery_attempts", "delivery_started_at"])
    last_customer = (
        message.conversation.messages.filter(direction=Direction.INBOUND)
        .order_by("-platform_time")
        .values_list("platform_time", flat=True)
        .first()
    )
    persona = (
        AgentPersona.objects.filter(agent_id=message.author_agent_id, account_id=message.account_id)
        .values_list("persona_id", flat=True)
        .first()
    )
    return DeliveryTicket(
        message_id=message.pk,
        account_id=message.account_id,
        uncertain=uncertain,
        started_at=message.delivery_started_at,
        customer_last_message_at=last_customer,
        persona_id=persona,
    )


@transaction.atomic(durable=True)
def reply_delivery_succeeded(*, message_id: int, external_id: str, sent_at: datetime) -> Message:
    message = _locked_message(message_id)
    if message.delivery_state == DeliveryState.SENT:
        return message
    message.delivery_state = DeliveryState.SENT
    message.external_id = external_id
    message.delivery_error = ""
    message.platform_time = sent_at
    message.save(update_fields=["delivery_state", "external_id", "delivery_error", "platform_time"])
    _announce(message)
    return message


@transaction.atomic(durable=True)
def reply_delivery_failed(*, message_id: int, reason: str) -> Message:
    """The platform refused, or every retry failed: the agent sees why and may retry."""
    message = _locked_message(message_id)
    if message.delivery_state == DeliveryState.SENT:
        return message
    message.delivery_state = DeliveryState.FAILED
    message.delivery_error = reason[:2000]
    message.save(update_fields=["delivery_state", "delivery_error"])
    _announce(message)
    return message


@transaction.atomic(durable=True)
def reply_delivery_deferred(*, message_id: int, reason: str) -> Message:
    """Known not to have been posted (e.g. rate limited before the call): queued again."""
    message = _locked_message(message_id)
    if message.delivery_state != DeliveryState.SENDING:
        return message
    message.delivery_state = DeliveryState.QUEUED
    message.delivery_error = reason[:2000]
    message.save(update_fields=["delivery_state", "delivery_error"])
    _announce(message)
    return message


@transaction.atomic(durable=True)
def reply_retry(*, user: AbstractBaseUser, message_id: int) -> Message:
    """An agent asks to send a failed reply again."""
    actor = agent_of(user)
    conversation_id = (
        Message.objects.filter(pk=message_id, direction=Direction.OUTBOUND)
        .values_list("conversation_id", flat=True)
        .first()
    )
    if conversation_id is None:
        raise NotFound(f"Reply {message_id} was not found.")
    access_conversation(user, conversation_id, for_update=True)
    message = _locked_message(message_id)
    if message.delivery_state != DeliveryState.FAILED:
        raise InvalidTransition(
            f"Only a failed reply can be retried; this one is {message.delivery_state}.",
            current_state=message.delivery_state,
        )
    message.delivery_state = DeliveryState.QUEUED
    message.save(update_fields=["delivery_state"])
    audit(
        AuditAction.REPLY_RETRIED,
        actor=actor,
        object_type="message",
        object_id=message.pk,
        team_id=message.conversation.team_id,
        details={"conversation_id": conversation_id, "error": message.delivery_error},
    )
    _announce(message)
    transaction.on_commit(lambda: enqueue_delivery(message.pk))
    return message


@transaction.atomic(durable=True)
def agent_persona_save(*, agent_id: int, account_id: int, persona_id: str) -> None:
    AgentPersona.objects.get_or_create(
        agent_id=agent_id, account_id=account_id, defaults={"persona_id": persona_id}
    )
