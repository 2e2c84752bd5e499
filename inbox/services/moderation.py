"""Moderating public comments: an agent (or an automatic rule) asks, the worker applies it.

Each request is a ``ModerationAction`` with the same state machine as a reply's delivery
(queued → sending → done | failed): the attempt is committed before the platform is called, a
job killed mid-call is retried, and hide/unhide are idempotent on the platform, so the platform
changes exactly once. Who may do what (docs/moderation.md): agents hide and unhide, as in
Zendesk and Chatwoot, because hiding is reversible; deleting is final, so only managers and
admins delete.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connectors.base import Platform, ThreadKind
from inbox.audit import audit
from inbox.events.kinds import message_moderation_changed_event
from inbox.events.log import announce
from inbox.exceptions import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from inbox.models import (
    Agent,
    AuditAction,
    Direction,
    Message,
    ModerationAction,
    ModerationKind,
    ModerationReason,
    ModerationState,
)
from inbox.permissions.access import access_conversation, agent_of
from inbox.selectors.moderation import message_get_conversation_id, moderation_for_message
from inbox.stored_text import Text

logger = logging.getLogger(__name__)
MODERATION_ERROR_MAX = 2000
DEFAULT_ENQUEUE = "connectors.jobs.enqueue_moderation"
_IN_FLIGHT = {ModerationState.QUEUED, ModerationState.SENDING}


@transaction.atomic(durable=True)
def message_moderate(*, user: AbstractBaseUser, message_id: int, kind: object) -> ModerationAction:
    """An agent asks to hide, unhide or delete a customer's public comment."""
    actor = agent_of(user)
    conversation_id = message_get_conversation_id(message_id=message_id)
    not_found = NotFound(_("Message %(id)s was not found.") % {"id": message_id})
    if conversation_id is None:
        raise not_found
    try:
        access_conversation(user, conversation_id, for_update=True)
    except NotFound:
        raise not_found from None  # another team's message does not exist for this user
    kind = _known_kind(kind)
    if kind == ModerationKind.DELETE and not user.has_perm("inbox.delete_public_comment"):
        raise PermissionDenied(_("Only managers and admins may delete a customer's comment."))
    message = _lock_message(message_id)
    _check_moderatable(message, kind)
    action = moderation_queue_locked(message=message, kind=kind, actor=actor)
    audit(
        AuditAction.MESSAGE_MODERATED,
        actor=actor,
        object_type="message",
        object_id=message.pk,
        team_id=message.conversation.team_id,
        details={"kind": kind, "conversation_id": conversation_id, "action_id": action.pk},
    )
    return action


def moderation_queue_locked(
    *,
    message: Message,
    kind: ModerationKind,
    actor: Agent | None,
    reason: ModerationReason = ModerationReason.MANUAL,
) -> ModerationAction:
    """Queue the action and hand it to the worker after commit; the caller holds the message's
    lock and has checked that the message may be moderated this way."""
    action = ModerationAction.objects.create(
        message=message, kind=kind, requested_by=actor, reason=reason, created_at=timezone.now()
    )
    announce(message_moderation_changed_event(action=action, actor=actor))
    transaction.on_commit(lambda: enqueue_moderation(action.pk))
    return action


def _known_kind(kind: object) -> ModerationKind:
    try:
        return ModerationKind(kind)
    except (ValueError, TypeError):
        raise InvalidInput(
            _("Unknown moderation %(kind)s: use hide, unhide or delete.") % {"kind": kind},
            field="kind",
        ) from None


def _lock_message(message_id: int) -> Message:
    return (
        Message.objects.select_for_update(of=("self",), no_key=True)
        .select_related("conversation", "account")
        .get(pk=message_id)
    )


def _check_moderatable(message: Message, kind: ModerationKind) -> None:
    """Refuse what the platform cannot do, or what would change nothing."""
    if message.conversation.kind != ThreadKind.PUBLIC:
        raise InvalidInput(_("A private message cannot be hidden or deleted."), field="message")
    if message.direction != Direction.INBOUND:
        raise InvalidInput(
            _("Only a customer's comment can be moderated, not the account's own reply."),
            field="message",
        )
    if kind == ModerationKind.DELETE and message.account.platform == Platform.X:
        raise InvalidInput(_("X lets an account hide replies, not delete them."), field="kind")
    standing = moderation_for_message(message_id=message.pk)
    if standing.pending is not None:
        raise InvalidTransition(
            _("This comment is already being moderated; wait until that is done."),
            current_state=standing.pending.state,
        )
    if standing.deleted:
        raise InvalidTransition(_("This comment was deleted."), current_state="deleted")
    if kind == ModerationKind.HIDE and standing.hidden:
        raise InvalidTransition(_("This comment is already hidden."), current_state="hidden")
    if kind == ModerationKind.UNHIDE and not standing.hidden:
        raise InvalidTransition(_("This comment is not hidden."), current_state="visible")


def enqueue_moderation(action_id: int) -> None:
    """Hand the action to the worker. If Redis is away it stays queued and the dispatcher
    re-queues it later."""
    try:
        import_string(getattr(settings, "SVAR_MODERATION_ENQUEUE", DEFAULT_ENQUEUE))(action_id)
    except Exception:
        logger.warning("could not queue moderation action %s", action_id, exc_info=True)


# --- the worker's side of the state machine ---------------------------------------------------


def _lock_action(action_id: int) -> ModerationAction:
    try:
        return (
            ModerationAction.objects.select_for_update(of=("self",), no_key=True)
            .select_related("message__conversation", "requested_by")
            .get(pk=action_id)
        )
    except ModerationAction.DoesNotExist:
        raise NotFound(
            Text(
                gettext_lazy("Moderation action %(action_id)s was not found."), action_id=action_id
            )
        ) from None


@transaction.atomic(durable=True)
def moderation_begin(*, action_id: int) -> tuple[ModerationAction, bool] | None:
    """Record an attempt: the action and whether an earlier attempt may have reached the
    platform. None when there is nothing to do (done, or failed for good)."""
    action = _lock_action(action_id)
    if action.state not in _IN_FLIGHT:
        return None
    uncertain = action.state == ModerationState.SENDING
    action.state = ModerationState.SENDING
    action.attempts += 1
    action.started_at = action.started_at or timezone.now()
    action.save(update_fields=["state", "attempts", "started_at"])
    return action, uncertain


def _finish(action_id: int, state: ModerationState, error: str, from_states: set[str]) -> None:
    action = _lock_action(action_id)
    if action.state not in from_states:
        return
    action.state = state
    action.platform_error = error[:MODERATION_ERROR_MAX]
    done = state in (ModerationState.DONE, ModerationState.FAILED)
    action.finished_at = timezone.now() if done else None
    action.save(update_fields=["state", "platform_error", "finished_at"])
    announce(message_moderation_changed_event(action=action, actor=None))


@transaction.atomic(durable=True)
def moderation_succeeded(*, action_id: int) -> None:
    _finish(action_id, ModerationState.DONE, "", _IN_FLIGHT)


@transaction.atomic(durable=True)
def moderation_failed(*, action_id: int, reason: str) -> None:
    """The platform refused, or every retry failed: the agent sees why; nothing retries."""
    _finish(action_id, ModerationState.FAILED, reason, _IN_FLIGHT)


@transaction.atomic(durable=True)
def moderation_deferred(*, action_id: int, reason: str) -> None:
    """Known not to have reached the platform (rate limited before the call): queued again."""
    _finish(action_id, ModerationState.QUEUED, reason, {ModerationState.SENDING})
