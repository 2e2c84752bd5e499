"""Helpers shared by the services: the optimistic version check and the change bump."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from inbox.exceptions import StaleVersion
from inbox.models import Conversation
from inbox.stored_text import Text


def check_version(conversation: Conversation, expected_version: int | None) -> None:
    """Refuse to act on a snapshot older than the stored one, if the client sent its version."""
    if expected_version is not None and expected_version != conversation.version:
        raise StaleVersion(
            Text(
                _(
                    "The conversation changed meanwhile (you saw version "
                    "%(expected_version)s, it is now %(version)s). Reload it and try again."
                ),
                expected_version=expected_version,
                version=conversation.version,
            ),
            current_version=conversation.version,
        )


def touch(conversation: Conversation, *fields: str) -> None:
    conversation.version += 1
    conversation.save(update_fields=[*fields, "version"])
