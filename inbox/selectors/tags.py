"""Reads of tags."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef

from inbox.models import Conversation, Tag
from inbox.permissions.access import visible_team_ids


def tag_name_list(*, user: AbstractBaseUser, limit: int) -> list[str]:
    """Tag names in use on conversations the user may see (every tag for admins): another
    team's tags can name its cases, so they are not offered across teams."""
    tags = Tag.objects.order_by("name")
    team_ids = visible_team_ids(user)
    if team_ids is not None:
        used = Conversation.tags.through.objects.filter(
            tag_id=OuterRef("pk"), conversation__team_id__in=team_ids
        )
        tags = tags.filter(Exists(used))
    return list(tags.values_list("name", flat=True)[:limit])


def tag_get_id(*, name: str) -> int | None:
    """The id of the tag of this name (names are stored lower-case), None if there is none."""
    return Tag.objects.filter(name=name.strip().lower()).values_list("id", flat=True).first()


def tag_name_list_of(*, conversation: Conversation) -> set[str]:
    """The names of the conversation's tags."""
    return set(conversation.tags.values_list("name", flat=True))
