"""What Svar holds about one person, for a data-subject request (issue #19): their contacts on
every channel, their conversations, the messages they wrote and were sent, and the notes on
their conversations or naming them; within the teams the handler may read.

Each part is a queryset, so an export can stream it and an erasure can update it in place.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import reduce

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from inbox.exceptions import PermissionDenied
from inbox.models import Contact, Conversation, Media, MediaState, Message, Note
from inbox.permissions.access import agent_of, conversations_of_teams, readable_team_ids
from inbox.selectors.customers import contact_access, person_contacts

MENTION_MIN_LENGTH = 3  # shorter names or handles would match inside ordinary words
PLATFORM_SIDE_NOTE = (
    "Public on the platform: erasing it in Svar does not remove it there; "
    "the person can delete it on the platform, or ask the platform to."
)


@dataclass(frozen=True, slots=True)
class DataScope:
    """The person and the teams a request covers (``team_ids`` None: every team)."""

    team_ids: list[int] | None
    contacts: list[Contact]

    @property
    def contact_ids(self) -> list[int]:
        return [c.pk for c in self.contacts]

    def mentions(self) -> list[str]:
        """What a note that names the person contains: a handle, a name, an e-mail address."""
        terms = set()
        for c in self.contacts:
            terms.update(t for t in (c.name.strip(), c.email) if t)
            if c.handle:
                terms.update({c.handle, f"@{c.handle.lstrip('@')}"})
        return sorted(t for t in terms if len(t) >= MENTION_MIN_LENGTH)


def data_scope(user: AbstractBaseUser, contact_id: int) -> DataScope:
    """The request's scope; managers and admins only, another team's customer not found."""
    if not user.has_perm("inbox.add_datarequest"):
        raise PermissionDenied(_("Only managers and admins handle data-subject requests."))
    agent_of(user)
    teams = readable_team_ids(user)
    contact = contact_access(user, contact_id)
    return DataScope(team_ids=teams, contacts=person_contacts(teams, contact))


def legal_hold_filter() -> Q:
    """Conversations on legal hold (retention, inbox/retention/): an erasure leaves them."""
    return Q(legal_hold=True)


def scope_conversations(scope: DataScope) -> QuerySet[Conversation]:
    """The person's own conversations (threads they started or were answered in)."""
    return conversations_of_teams(scope.team_ids).filter(contact_id__in=scope.contact_ids)


def scope_messages(scope: DataScope) -> QuerySet[Message]:
    """Every message of their conversations, and theirs in other people's public threads."""
    teams = conversations_of_teams(scope.team_ids).values("pk")
    own = Q(conversation__contact_id__in=scope.contact_ids)
    written = Q(author_contact_id__in=scope.contact_ids)
    return Message.objects.filter(own | written, conversation_id__in=teams)


def scope_media(scope: DataScope) -> QuerySet[Media]:
    """The stored media files of the person's messages (for the export's ``media/``)."""
    messages = scope_messages(scope).values("pk")
    return Media.objects.filter(message_id__in=messages, state=MediaState.STORED).exclude(file="")


def scope_notes(scope: DataScope) -> QuerySet[Note]:
    """Notes on their conversations, and notes elsewhere in the teams that name them."""
    teams = conversations_of_teams(scope.team_ids).values("pk")
    where = Q(conversation__contact_id__in=scope.contact_ids)
    if terms := scope.mentions():
        where |= reduce(operator.or_, (Q(body__icontains=t) for t in terms))
    return Note.objects.filter(where, conversation_id__in=teams)


def data_summary(scope: DataScope) -> dict[str, int]:
    """How much there is of each part (what a handler sees before exporting or erasing)."""
    return {
        "contacts": len(scope.contacts),
        "conversations": scope_conversations(scope).count(),
        "messages": scope_messages(scope).count(),
        "notes": scope_notes(scope).count(),
        "on_hold": scope_conversations(scope).filter(legal_hold_filter()).count(),
    }
