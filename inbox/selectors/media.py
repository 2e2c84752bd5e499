"""Media reads: a file only for someone who may see its conversation (the API's rule)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from inbox.exceptions import NotFound
from inbox.models import Media, MediaState
from inbox.permissions.access import access_conversation


def media_get_stored(*, user: AbstractBaseUser, media_id: int) -> Media:
    """Stored media of a conversation the user may see; otherwise it does not exist for them."""
    media = (
        Media.objects.filter(pk=media_id, state=MediaState.STORED).select_related("message").first()
    )
    if media is None:
        raise NotFound(f"Media {media_id} was not found.")
    try:
        access_conversation(user, media.message.conversation_id)
    except NotFound:
        raise NotFound(f"Media {media_id} was not found.") from None  # another team's
    return media
