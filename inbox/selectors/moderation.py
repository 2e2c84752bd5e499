"""Reads of moderation: a message's current moderation, the actions a worker must (re)do."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from inbox.events.snapshots import moderation_snapshot
from inbox.exceptions import NotFound
from inbox.models import (
    AutoModerationRule,
    ChannelAccount,
    Message,
    ModerationAction,
    ModerationKind,
    ModerationState,
    PrivateReply,
)
from inbox.permissions.access import access_conversation, visible_team_ids

LOST_ACTIONS_PER_READ = 1000
_IN_FLIGHT = (ModerationState.QUEUED, ModerationState.SENDING)


@dataclass(frozen=True, slots=True)
class MessageModeration:
    """Where a message stands: hidden or deleted on the platform (as far as Svar has done it),
    the action that made it so, and the one still in flight, if any."""

    hidden: bool
    deleted: bool
    last_done: ModerationAction | None
    pending: ModerationAction | None
    last_failed: ModerationAction | None


def moderation_for_messages(*, message_ids: Iterable[int]) -> dict[int, MessageModeration]:
    """Every moderated message among ``message_ids`` (unmoderated ones are absent)."""
    actions = (
        ModerationAction.objects.filter(message_id__in=list(message_ids))
        .select_related("requested_by")
        .order_by("message_id", "created_at", "id")
    )
    by_message: dict[int, list[ModerationAction]] = {}
    for action in actions:
        by_message.setdefault(action.message_id, []).append(action)
    return {message_id: _standing(history) for message_id, history in by_message.items()}


def moderation_for_message(*, message_id: int) -> MessageModeration:
    return moderation_for_messages(message_ids=[message_id]).get(
        message_id, MessageModeration(False, False, None, None, None)
    )


def _standing(history: list[ModerationAction]) -> MessageModeration:
    done = [a for a in history if a.state == ModerationState.DONE]
    last_done = done[-1] if done else None
    failed = [a for a in history if a.state == ModerationState.FAILED]
    return MessageModeration(
        hidden=last_done is not None and last_done.kind == ModerationKind.HIDE,
        deleted=any(a.kind == ModerationKind.DELETE for a in done),
        last_done=last_done,
        pending=next((a for a in history if a.state in _IN_FLIGHT), None),
        last_failed=failed[-1] if failed and failed[-1] is history[-1] else None,
    )


def moderation_list_unfinished(*, created_before: datetime) -> list[int]:
    """Actions queued or sending since before ``created_before``: a lost job is re-queued."""
    return list(
        ModerationAction.objects.filter(state__in=_IN_FLIGHT, created_at__lt=created_before)
        .order_by("pk")
        .values_list("pk", flat=True)[:LOST_ACTIONS_PER_READ]
    )


def moderation_get_for_job(*, action_id: int) -> ModerationAction:
    return ModerationAction.objects.select_related("message__account", "message__conversation").get(
        pk=action_id
    )


def message_get_conversation_id(*, message_id: int) -> int | None:
    return Message.objects.filter(pk=message_id).values_list("conversation_id", flat=True).first()


def moderation_get(*, user: AbstractBaseUser, message_id: int) -> MessageModeration:
    """A message's moderation, for a user who may read its conversation (else NotFound)."""
    conversation_id = message_get_conversation_id(message_id=message_id)
    not_found = NotFound(_("Message %(id)s was not found.") % {"id": message_id})
    if conversation_id is None:
        raise not_found
    try:
        access_conversation(user, conversation_id)
    except NotFound:
        raise not_found from None
    return moderation_for_message(message_id=message_id)


def standing_snapshot(message_id: int, standing: MessageModeration) -> dict[str, Any]:
    """A message's moderation as the API and the thread view show it."""
    return {
        "message_id": message_id,
        "hidden": standing.hidden,
        "deleted": standing.deleted,
        "last_done": moderation_snapshot(standing.last_done),
        "pending": moderation_snapshot(standing.pending),
        "last_failed": moderation_snapshot(standing.last_failed),
    }


def visible_account_get(*, user: AbstractBaseUser, account_id: int) -> ChannelAccount:
    """A channel account of the user's teams (another team's answers NotFound)."""
    teams = visible_team_ids(user)
    accounts = ChannelAccount.objects.all()
    if teams is not None:
        accounts = accounts.filter(team_id__in=teams)
    account = accounts.filter(pk=account_id).first()
    if account is None:
        raise NotFound(_("Channel account %(id)s was not found.") % {"id": account_id})
    return account


def auto_moderation_get(*, user: AbstractBaseUser, account_id: int) -> AutoModerationRule:
    """The account's rules (unsaved defaults: nothing hidden) for anyone of its team."""
    account = visible_account_get(user=user, account_id=account_id)
    return AutoModerationRule.objects.filter(account=account).first() or AutoModerationRule(
        account=account
    )


def private_replies_for_messages(*, message_ids: Iterable[int]) -> dict[int, PrivateReply]:
    return {
        reply.message_id: reply
        for reply in PrivateReply.objects.filter(message_id__in=list(message_ids))
    }


def private_reply_list_unfinished(*, created_before: datetime) -> list[int]:
    """Private replies queued or sending since before ``created_before``: a lost job."""
    return list(
        PrivateReply.objects.filter(state__in=_IN_FLIGHT, created_at__lt=created_before)
        .order_by("pk")
        .values_list("pk", flat=True)[:LOST_ACTIONS_PER_READ]
    )
