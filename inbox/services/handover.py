"""Handing a conversation over to a colleague, optionally telling the customer who takes over."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from inbox.exceptions import InvalidInput
from inbox.models import Conversation, Message
from inbox.permissions.access import access_conversation, agent_of
from inbox.services._common import check_version
from inbox.services.conversations import conversation_assign_locked
from inbox.services.replies import reply_create_locked


@transaction.atomic(durable=True)
def conversation_handover(
    *,
    user: AbstractBaseUser,
    conversation_id: int,
    assignee_id: int,
    note_to_customer: str = "",
    expected_version: int | None = None,
) -> tuple[Conversation, Message | None]:
    """Assign to a colleague and, when ``note_to_customer`` is given, post it as a reply signed
    by the agent handing over. Both or neither: one transaction."""
    actor = agent_of(user)
    conversation = access_conversation(user, conversation_id, for_update=True)
    check_version(conversation, expected_version)
    if assignee_id == actor.pk:
        raise InvalidInput(_("Choose a colleague to hand over to."), field="assignee_id")
    message = None
    if note_to_customer.strip():
        # Written before the assignment so that it is signed and credited by whoever hands over.
        message = reply_create_locked(agent=actor, conversation=conversation, body=note_to_customer)
    conversation = conversation_assign_locked(
        actor=actor, conversation=conversation, assignee_id=assignee_id
    )
    return conversation, message
