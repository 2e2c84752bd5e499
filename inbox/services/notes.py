"""Internal notes: for the team only, never sent, never counted in metrics."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inbox.audit import audit
from inbox.composer.visible import has_visible_text
from inbox.events.kinds import note_created_event
from inbox.events.log import announce
from inbox.exceptions import InvalidInput
from inbox.models import AuditAction, Note
from inbox.permissions.access import access_conversation, agent_of
from inbox.services.mentions import mentioned_agents, mentions_apply
from inbox.stored_text import Text

NOTE_MAX_LENGTH = 10_000


@transaction.atomic(durable=True)
def note_create(*, user: AbstractBaseUser, conversation_id: int, body: str) -> Note:
    author = agent_of(user)
    body = body.strip()
    if not has_visible_text(body):
        raise InvalidInput(
            _("A note needs text: spaces and invisible characters alone do not count."),
            field="body",
            length=0,
            limit=NOTE_MAX_LENGTH,
        )
    if len(body) > NOTE_MAX_LENGTH:
        raise InvalidInput(
            Text(
                _(
                    "A note may have at most %(note_max_length)s characters; this one has "
                    "%(length)s."
                ),
                note_max_length=NOTE_MAX_LENGTH,
                length=len(body),
            ),
            field="body",
            length=len(body),
            limit=NOTE_MAX_LENGTH,
        )
    mentioned = mentioned_agents(body)  # an unknown name refuses the note before any lock
    # A colleague mentioned here before holds a grant: they may add notes too.
    conversation = access_conversation(user, conversation_id, for_update=True, guest=True)
    note = Note.objects.create(
        conversation=conversation, author=author, body=body, created_at=timezone.now()
    )
    audit(
        AuditAction.NOTE_CREATED,
        actor=author,
        object_type="note",
        object_id=note.pk,
        team_id=conversation.team_id,
        details={"conversation_id": conversation.pk},
    )
    mentions_apply(note=note, conversation=conversation, agents=mentioned)
    # Notes do not change the conversation's version: its snapshot is unchanged.
    announce(note_created_event(conversation=conversation, note=note, actor=author))
    return note
