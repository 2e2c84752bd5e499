"""Reads for mentions: the note composer's suggestions and the grants a conversation shows."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q

from inbox.models import Agent, ConversationGrant
from inbox.permissions.access import access_conversation

SUGGESTIONS_MAX = 8


def mention_candidates(
    *, user: AbstractBaseUser, conversation_id: int, query: str
) -> list[dict[str, Any]]:
    """Active colleagues of every team whose user name or public name starts with ``query``;
    members of the conversation's team first."""
    conversation = access_conversation(user, conversation_id, guest=True)
    query = query.lstrip("@")
    agents = (
        Agent.objects.filter(user__is_active=True)
        .filter(
            Q(user__username__istartswith=query)
            | Q(public_name__istartswith=query)
            | Q(public_name__icontains=f" {query}")
        )
        .select_related("user")
        .prefetch_related("teams")
        .order_by("public_name", "id")[:50]
    )
    found = []
    for agent in agents:
        team_ids = {t.pk for t in agent.teams.all()}
        found.append(
            {
                "id": agent.pk,
                "username": agent.user.username,
                "public_name": agent.public_name,
                "initials": agent.initials,
                "teams": sorted(t.name for t in agent.teams.all()),
                "in_team": conversation.team_id in team_ids,
            }
        )
    found.sort(key=lambda f: not f["in_team"])
    return found[:SUGGESTIONS_MAX]


def guest_stream_head(*, user: AbstractBaseUser, conversation_id: int) -> int | None:
    """For a user holding a grant to the conversation: its team's event head, read before the
    page is, so the guest's live stream (web/ws/guest_stream.py) starts where the page stands."""
    return (
        ConversationGrant.objects.filter(agent__user_id=user.pk, conversation_id=conversation_id)
        .values_list("conversation__team__event_seq", flat=True)
        .first()
    )


def grant_list(*, conversation_id: int) -> list[ConversationGrant]:
    """Who reads the conversation through a mention (the caller checked access)."""
    return list(
        ConversationGrant.objects.filter(conversation_id=conversation_id).select_related(
            "agent", "granted_by"
        )
    )
