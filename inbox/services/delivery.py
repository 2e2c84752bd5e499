"""The delivery state machine of a reply: queued → sending → sent | failed (→ queued on retry).

The attempt is recorded (``sending``) and committed before the platform is called, so a worker
killed mid-call leaves a trace: the next attempt first looks for the reply on the platform
instead of posting it again (docs/architecture.md §6).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inbox.audit import audit
from inbox.events.kinds import reply_delivery_changed_event
from inbox.events.log import announce
from inbox.exceptions import InvalidTransition, NotFound
from inbox.models import AgentPersona, AuditAction, DeliveryState, Message
from inbox.models import NotificationKind as Kind
from inbox.permissions.access import access_conversation, agent_of
from inbox.selectors.messages import (
    agent_persona_get,
    message_get_latest_inbound_time,
    reply_get_conversation_id,
)
from inbox.services.approval import reply_hold_for_retry_locked
from inbox.services.locks import lock_reply
from inbox.services.notifications import Notice, notify
from inbox.services.replies import enforce_guidelines, enqueue_delivery
from inbox.stored_text import Text, stored

DELIVERY_ERROR_MAX = 2000  # the platform's reason, as stored and shown to the agent
# A reply in any of these states has not reached the platform (as far as is known).
_UNSENT = {DeliveryState.QUEUED, DeliveryState.SENDING, DeliveryState.FAILED}


@dataclass(frozen=True, slots=True)
class DeliveryTicket:
    """Everything the delivery job needs to post one reply, read under the message's lock."""

    message_id: int
    account_id: int
    uncertain: bool  # an earlier attempt may have reached the platform
    started_at: datetime
    customer_last_message_at: datetime | None
    persona_id: str | None


@transaction.atomic(durable=True)
def reply_delivery_begin(*, message_id: int) -> DeliveryTicket | None:
    """Record an attempt. None when there is nothing to do (already sent, or failed for good)."""
    message = lock_reply(message_id)
    if message.delivery_state not in (DeliveryState.QUEUED, DeliveryState.SENDING):
        return None
    uncertain = message.delivery_state == DeliveryState.SENDING
    now = timezone.now()
    message.delivery_state = DeliveryState.SENDING
    message.delivery_attempts += 1
    message.delivery_started_at = message.delivery_started_at or now
    message.save(update_fields=["delivery_state", "delivery_attempts", "delivery_started_at"])
    return DeliveryTicket(
        message_id=message.pk,
        account_id=message.account_id,
        uncertain=uncertain,
        started_at=message.delivery_started_at,
        customer_last_message_at=message_get_latest_inbound_time(conversation=message.conversation),
        persona_id=agent_persona_get(
            agent_id=message.author_agent_id, account_id=message.account_id
        ),
    )


def _change(message: Message, **fields: object) -> Message:
    """Set a locked reply's delivery fields, store exactly those, and announce the change."""
    for name, value in fields.items():
        setattr(message, name, value)
    message.save(update_fields=list(fields))
    announce(reply_delivery_changed_event(message=message))
    return message


@transaction.atomic(durable=True)
def reply_delivery_succeeded(*, message_id: int, external_id: str, sent_at: datetime) -> Message:
    message = lock_reply(message_id)
    if message.delivery_state == DeliveryState.SENT:
        return message
    return _change(
        message,
        delivery_state=DeliveryState.SENT,
        external_id=external_id,
        delivery_error="",
        platform_time=sent_at,
    )


def _set_error(
    message_id: int, state: DeliveryState, reason: str, *, from_states: set[str]
) -> Message:
    """Move the reply to ``state`` with the platform's reason, if it is in ``from_states``."""
    message = lock_reply(message_id)
    if message.delivery_state not in from_states:
        return message
    if state == DeliveryState.FAILED and message.author_agent_id is not None:
        notify([Notice(message.author_agent_id, Kind.REPLY_FAILED, message.conversation_id)])
    return _change(message, delivery_state=state, delivery_error=reason[:DELIVERY_ERROR_MAX])


@transaction.atomic(durable=True)
def reply_delivery_failed(*, message_id: int, reason: str) -> Message:
    """The platform refused, or every retry failed: the agent sees why and may retry."""
    return _set_error(message_id, DeliveryState.FAILED, reason, from_states=_UNSENT)


@transaction.atomic(durable=True)
def reply_delivery_outcome_unknown(*, message_id: int) -> Message:
    """An earlier attempt may have posted the reply and the platform cannot be asked (an answer
    to an Instagram mention in a comment): failed, never posted again by itself; the agent
    checks on the platform and may then retry (at most once, docs/platforms.md §3)."""
    reason = Text(
        _(
            "Outcome unknown: the platform did not confirm this reply, and Svar cannot check "
            "whether it was posted. Look on Instagram before you send it again."
        )
    )
    return _set_error(message_id, DeliveryState.FAILED, stored(reason), from_states=_UNSENT)


@transaction.atomic(durable=True)
def reply_delivery_deferred(*, message_id: int, reason: str) -> Message:
    """Known not to have been posted (e.g. rate limited before the call): queued again."""
    return _set_error(message_id, DeliveryState.QUEUED, reason, from_states={DeliveryState.SENDING})


@transaction.atomic(durable=True)
def reply_retry(*, user: AbstractBaseUser, message_id: int) -> Message:
    """An agent asks to send a failed reply again."""
    actor = agent_of(user)
    conversation_id = reply_get_conversation_id(message_id=message_id)
    not_found = NotFound(Text(_("Reply %(message_id)s was not found."), message_id=message_id))
    if conversation_id is None:
        raise not_found
    try:
        access_conversation(user, conversation_id, for_update=True)
    except NotFound:
        # Another team's reply is answered as one that does not exist: naming its conversation
        # would tell which conversation it belongs to.
        raise not_found from None
    message = lock_reply(message_id)
    if message.delivery_state != DeliveryState.FAILED:
        raise InvalidTransition(
            Text(
                _("Only a failed reply can be retried; this one is %(delivery_state)s."),
                delivery_state=message.delivery_state,
            ),
            current_state=message.delivery_state,
        )
    # Today's rules apply to a reply sent again: a blocked one stays failed, with the reason;
    # one that now needs approval, and was never approved, waits for an approver.
    verdict = enforce_guidelines(message.author_agent, message.conversation, message.body)
    if verdict.needs_approval and reply_hold_for_retry_locked(message=message, verdict=verdict):
        return message
    _change(message, delivery_state=DeliveryState.QUEUED)
    audit(
        AuditAction.REPLY_RETRIED,
        actor=actor,
        object_type="message",
        object_id=message.pk,
        team_id=message.conversation.team_id,
        details={"conversation_id": conversation_id, "error": message.delivery_error},
    )
    transaction.on_commit(lambda: enqueue_delivery(message.pk))
    return message


@transaction.atomic(durable=True)
def agent_persona_save(*, agent_id: int, account_id: int, persona_id: str) -> None:
    AgentPersona.objects.get_or_create(
        agent_id=agent_id, account_id=account_id, defaults={"persona_id": persona_id}
    )
