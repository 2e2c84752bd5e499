"""Changing who owns a conversation, its status and its tags."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inbox.audit import audit
from inbox.composer.visible import has_visible_text, without_invisible_separators
from inbox.events.kinds import (
    conversation_assigned_event,
    conversation_status_changed_event,
    conversation_tagged_event,
)
from inbox.events.log import announce
from inbox.exceptions import InvalidInput, InvalidTransition, NotFound
from inbox.metrics.recording import record_reopened, record_resolved
from inbox.models import Agent, AuditAction, Conversation, ConversationStatus, NotificationKind, Tag
from inbox.permissions.access import access_conversation, agent_of, sees_all_teams
from inbox.selectors.agents import agent_get_by_id, agent_is_in_team
from inbox.selectors.tags import tag_name_list_of
from inbox.services._common import check_version, touch
from inbox.services.notifications import Notice, notify
from inbox.stored_text import Text

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    ConversationStatus.OPEN: frozenset({ConversationStatus.PENDING, ConversationStatus.RESOLVED}),
    ConversationStatus.PENDING: frozenset({ConversationStatus.OPEN, ConversationStatus.RESOLVED}),
    ConversationStatus.RESOLVED: frozenset({ConversationStatus.OPEN}),
    # Snoozing is conversation_snooze's (it needs an end); waking by hand is a status change.
    ConversationStatus.SNOOZED: frozenset({ConversationStatus.OPEN, ConversationStatus.RESOLVED}),
}
TAG_MAX_LENGTH = 50
TAGS_PER_CONVERSATION_MAX = 20


@transaction.atomic(durable=True)
def conversation_assign(
    *,
    user: AbstractBaseUser,
    conversation_id: int,
    assignee_id: int | None,
    expected_version: int | None = None,
) -> Conversation:
    """Give the conversation to an agent of its team, or to nobody (``assignee_id=None``)."""
    actor = agent_of(user)
    conversation = access_conversation(user, conversation_id, for_update=True)
    check_version(conversation, expected_version)
    return conversation_assign_locked(
        actor=actor, conversation=conversation, assignee_id=assignee_id
    )


def conversation_assign_locked(
    *, actor: Agent, conversation: Conversation, assignee_id: int | None
) -> Conversation:
    """The body of :func:`conversation_assign`; the caller holds the conversation's lock."""
    assignee = None
    if assignee_id is not None:
        assignee = agent_get_by_id(agent_id=assignee_id)
        if assignee is None:
            raise NotFound(
                Text(gettext_lazy("Agent %(assignee_id)s was not found."), assignee_id=assignee_id)
            )
        in_team = agent_is_in_team(agent=assignee, team_id=conversation.team_id)
        if not in_team and not sees_all_teams(assignee.user):
            raise InvalidInput(
                Text(
                    gettext_lazy("%(public_name)s is not in this conversation's team."),
                    public_name=assignee.public_name,
                ),
                field="assignee_id",
            )
    if conversation.assignee_id == assignee_id:
        return conversation  # already so: no change, no event
    previous = conversation.assignee
    conversation.assignee = assignee
    touch(conversation, "assignee")
    audit(
        AuditAction.CONVERSATION_ASSIGNED,
        actor=actor,
        object_type="conversation",
        object_id=conversation.pk,
        team_id=conversation.team_id,
        details={"from": previous.pk if previous else None, "to": assignee_id},
    )
    if assignee is not None:
        notify([Notice(assignee.pk, NotificationKind.ASSIGNED_TO_ME, conversation.pk, actor.pk)])
    announce(
        conversation_assigned_event(
            conversation=conversation, actor=actor, previous_assignee=previous
        )
    )
    return conversation


def conversation_claim(*, user: AbstractBaseUser, conversation_id: int,
                       expected_version: int | None = None) -> Conversation:  # fmt: skip
    return conversation_assign(
        user=user,
        conversation_id=conversation_id,
        assignee_id=agent_of(user).pk,
        expected_version=expected_version,
    )


@transaction.atomic(durable=True)
def conversation_set_status(
    *,
    user: AbstractBaseUser,
    conversation_id: int,
    status: str,
    expected_version: int | None = None,
) -> Conversation:
    actor = agent_of(user)
    if status not in ConversationStatus.values:
        raise InvalidInput(
            Text(
                gettext_lazy("Unknown status %(status)s; use one of %(choices)s."),
                status=repr(status),
                choices=", ".join(ConversationStatus.values),
            ),
            field="status",
        )
    conversation = access_conversation(user, conversation_id, for_update=True)
    check_version(conversation, expected_version)
    previous = conversation.status
    if status not in ALLOWED_TRANSITIONS[previous]:
        raise InvalidTransition(
            Text(
                gettext_lazy("A %(previous)s conversation cannot become %(status)s."),
                previous=previous,
                status=status,
            ),
            current_status=previous,
            allowed=sorted(ALLOWED_TRANSITIONS[previous]),
        )
    now = timezone.now()
    conversation.status = status
    conversation.snoozed_until = None
    if status == ConversationStatus.RESOLVED:
        conversation.resolved_at = now
        conversation.waiting_since = None
    elif previous == ConversationStatus.RESOLVED:
        conversation.opened_at = now  # reopened by hand: a new resolution clock starts
        conversation.resolved_at = None
    touch(conversation, "status", "resolved_at", "opened_at", "waiting_since", "snoozed_until")
    audit(
        AuditAction.CONVERSATION_STATUS,
        actor=actor,
        object_type="conversation",
        object_id=conversation.pk,
        team_id=conversation.team_id,
        details={"from": previous, "to": status},
    )
    if status == ConversationStatus.RESOLVED:  # response-time intervals
        record_resolved(conversation, at=now, agent_id=actor.pk)
    elif previous == ConversationStatus.RESOLVED:
        record_reopened(conversation, at=now)
    announce(
        conversation_status_changed_event(
            conversation=conversation, actor=actor, previous_status=previous
        )
    )
    return conversation


def _clean_tag(name: str) -> str:
    """One spelling per tag: spaces collapsed, lower case, no zero-width spaces or direction
    controls (they only make a second tag that looks like the first)."""
    cleaned = " ".join(without_invisible_separators(str(name)).split()).lower()
    if not has_visible_text(cleaned):
        raise InvalidInput(_("A tag needs at least one visible character."), field="tags")
    if len(cleaned) > TAG_MAX_LENGTH:
        raise InvalidInput(
            _("A tag may have at most %(max)s characters; '%(tag)s'… has %(length)s.")
            % {"max": TAG_MAX_LENGTH, "tag": cleaned[:20], "length": len(cleaned)},
            field="tags",
        )
    return cleaned


@transaction.atomic(durable=True)
def conversation_tag(
    *,
    user: AbstractBaseUser,
    conversation_id: int,
    add: list[str] | tuple[str, ...] = (),
    remove: list[str] | tuple[str, ...] = (),
) -> Conversation:
    actor = agent_of(user)
    to_add = {_clean_tag(n) for n in add}
    to_remove = {_clean_tag(n) for n in remove}
    conversation = access_conversation(user, conversation_id, for_update=True)
    current = tag_name_list_of(conversation=conversation)
    wanted = (current | to_add) - to_remove
    if wanted == current:
        return conversation
    if len(wanted) > TAGS_PER_CONVERSATION_MAX:
        raise InvalidInput(
            _("A conversation may carry at most %(n)s tags.") % {"n": TAGS_PER_CONVERSATION_MAX},
            field="tags",
        )
    # In name order: two requests adding the same new tags wait for each other in one order.
    Tag.objects.bulk_create([Tag(name=n) for n in sorted(to_add)], ignore_conflicts=True)
    conversation.tags.set(Tag.objects.filter(name__in=wanted))
    touch(conversation)
    audit(
        AuditAction.CONVERSATION_TAGGED,
        actor=actor,
        object_type="conversation",
        object_id=conversation.pk,
        team_id=conversation.team_id,
        details={"added": sorted(wanted - current), "removed": sorted(current - wanted)},
    )
    announce(
        conversation_tagged_event(
            conversation=conversation,
            actor=actor,
            added=wanted - current,
            removed=current - wanted,
        )
    )
    return conversation
