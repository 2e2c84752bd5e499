"""Reads of the files agents attach to replies."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from inbox.models import ReplyAttachment
from inbox.permissions.access import access_conversation


def attachment_list_unsent(
    *, user: AbstractBaseUser, conversation_id: int
) -> QuerySet[ReplyAttachment]:
    """Files uploaded to this conversation that no reply has taken yet (the composer's)."""
    conversation = access_conversation(user, conversation_id)
    return ReplyAttachment.objects.filter(
        conversation=conversation, team_id=conversation.team_id, message__isnull=True
    ).order_by("created_at", "pk")


def attachment_list_for_message(*, message_id: int) -> list[ReplyAttachment]:
    """A reply's files in the order they are posted (the delivery job's read)."""
    return list(ReplyAttachment.objects.filter(message_id=message_id).order_by("position", "pk"))
