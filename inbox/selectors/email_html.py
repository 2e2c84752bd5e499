"""An e-mail's sanitised HTML, only for someone who may see its conversation (media's rule)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from inbox.exceptions import NotFound
from inbox.models import MessageHtml
from inbox.permissions.access import access_conversation


def message_html_get(*, user: AbstractBaseUser, message_id: int) -> str:
    """The HTML of a message the user may see; otherwise it does not exist for them."""
    found = (
        MessageHtml.objects.filter(message_id=message_id)
        .values_list("html", "message__conversation_id")
        .first()
    )
    if found is None:
        raise NotFound(f"Message {message_id} has no HTML.")
    try:
        access_conversation(user, found[1])
    except NotFound:
        raise NotFound(f"Message {message_id} has no HTML.") from None  # another team's
    return found[0]
