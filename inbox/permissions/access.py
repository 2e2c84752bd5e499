"""Fetch-and-check: every read or write of a conversation on behalf of a user goes through here.

Another team's conversation is reported as not found, so its existence does not leak. A
colleague mentioned in a note holds a grant (``ConversationGrant``) to that one conversation:
it counts only where the caller passes ``guest=True`` (reading the conversation, adding a
note), so every other read, write, list and stream stays with the team.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from inbox.exceptions import NotFound, PermissionDenied
from inbox.models import Agent, Conversation, ConversationGrant
from inbox.stored_text import Text


def agent_of(user: AbstractBaseUser) -> Agent:
    try:
        return user.agent
    except Agent.DoesNotExist:
        raise PermissionDenied(_("This user has no agent profile.")) from None


_TEAM_IDS_SQL = (
    f"SELECT m.team_id FROM {Agent.teams.through._meta.db_table} m"  # noqa: S608 -- model names
    f" JOIN {Agent._meta.db_table} a ON a.id = m.agent_id WHERE a.user_id = %s"
)


def sees_all_teams(user: AbstractBaseUser) -> bool:
    return user.has_perm("inbox.view_all_teams")


def visible_team_ids(user: AbstractBaseUser) -> list[int] | None:
    """The teams whose conversations the user may see; None means every team."""
    if sees_all_teams(user):
        return None
    # One plain query on the membership table, not the agent and then its teams: this runs on
    # every list page. Only an empty answer asks whether the user has an agent profile at all.
    with connection.cursor() as cursor:
        cursor.execute(_TEAM_IDS_SQL, [user.pk])
        team_ids = [team_id for (team_id,) in cursor]
    if not team_ids:
        agent_of(user)
    return team_ids


def readable_team_ids(user: AbstractBaseUser) -> list[int] | None:
    """The teams whose conversations the user may read (None: every team); refused for a role
    that may read none."""
    if not user.has_perm("inbox.view_conversation"):
        raise PermissionDenied(_("Your role does not allow reading conversations."))
    return visible_team_ids(user)


def conversations_visible_to(user: AbstractBaseUser) -> QuerySet[Conversation]:
    return conversations_of_teams(readable_team_ids(user))


def conversations_of_teams(team_ids: list[int] | None) -> QuerySet[Conversation]:
    queryset = Conversation.objects.all()
    if team_ids is not None:
        queryset = queryset.filter(team_id__in=team_ids)
    return queryset


def access_conversation(
    user: AbstractBaseUser, conversation_id: int, *, for_update: bool = False, guest: bool = False
) -> Conversation:
    """The conversation if the user may see it; locked (``FOR NO KEY UPDATE``: docs/architecture.md
    §3.5) when about to change it. ``guest``: a grant from a mention opens it too."""
    if for_update and not user.has_perm("inbox.change_conversation"):
        raise PermissionDenied(_("Your role does not allow changing conversations."))
    queryset = conversations_visible_to(user)
    if guest:
        queryset = queryset | Conversation.objects.filter(pk__in=_granted(user, conversation_id))
    queryset = queryset.select_related("account", "contact")
    if for_update:
        # The assignee is read after the lock, not joined: a locking read that waited returns
        # the row as committed meanwhile, but joined rows as they were when it began.
        queryset = queryset.select_for_update(of=("self",), no_key=True)
    else:
        queryset = queryset.select_related("assignee")
    try:
        return queryset.get(pk=conversation_id)
    except Conversation.DoesNotExist:
        raise NotFound(
            Text(
                _("Conversation %(conversation_id)s was not found."),
                conversation_id=conversation_id,
            )
        ) from None


def _granted(user: AbstractBaseUser, conversation_id: int) -> QuerySet[ConversationGrant]:
    return ConversationGrant.objects.filter(
        agent__user_id=user.pk, conversation_id=conversation_id
    ).values("conversation_id")


def is_guest(user: AbstractBaseUser, conversation: Conversation) -> bool:
    """Whether the user reads this conversation through a grant only (not in its team)."""
    team_ids = visible_team_ids(user)
    return team_ids is not None and conversation.team_id not in team_ids
