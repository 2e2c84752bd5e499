"""Reads about a customer as a person (issue #19): the contacts of one profile, the
conversations behind them, and contacts that look like the same person.

A customer is visible to a user through a conversation the user may read: another team's
customer is reported as not found, as its conversations are (inbox/permissions/access.py).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from connectors.base import Platform
from inbox.exceptions import NotFound
from inbox.models import Contact, Conversation
from inbox.permissions.access import conversations_of_teams, readable_team_ids
from inbox.stored_text import Text

SUGGESTIONS_MAX = 10
CONVERSATIONS_MAX = 50
HANDLE_SIMILARITY = 0.75  # difflib ratio of two normalised handles that suggests one person


def contacts_of_teams(team_ids: list[int] | None) -> QuerySet[Contact]:
    """Contacts with a conversation in these teams (None: every contact)."""
    if team_ids is None:
        return Contact.objects.all()
    seen = conversations_of_teams(team_ids).filter(contact_id=OuterRef("pk"))
    return Contact.objects.filter(Exists(seen))


def contact_access(user: AbstractBaseUser, contact_id: int) -> Contact:
    """The contact if the user may see a conversation of it; NotFound otherwise."""
    try:
        return contacts_of_teams(readable_team_ids(user)).get(pk=contact_id)
    except Contact.DoesNotExist:
        raise NotFound(
            Text(_("Customer %(contact_id)s was not found."), contact_id=contact_id)
        ) from None


def person_filter(contact: Contact) -> Q:
    """The contacts of the contact's person: its profile's, or the contact alone."""
    if contact.profile_id is None:
        return Q(pk=contact.pk)
    return Q(profile_id=contact.profile_id)


def person_contacts(team_ids: list[int] | None, contact: Contact) -> list[Contact]:
    """The person's contacts seen from these teams, the given contact first."""
    contacts = contacts_of_teams(team_ids).filter(person_filter(contact))
    return sorted(contacts, key=lambda c: (c.pk != contact.pk, c.platform, c.pk))


def person_conversations(
    team_ids: list[int] | None, contact: Contact, *, limit: int = CONVERSATIONS_MAX
) -> list[Conversation]:
    """The person's conversations on every channel in these teams, newest first."""
    contact_ids = Contact.objects.filter(person_filter(contact)).values("pk")
    return list(
        conversations_of_teams(team_ids)
        .filter(contact_id__in=contact_ids)
        .select_related("account", "contact")
        .order_by("-last_message_at", "-id")[:limit]
    )


def _plain(text: str) -> str:
    """Case, accents, spacing and punctuation set aside: "Ånne-Marie " ~ "anne marie"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", " ", letters).strip()


def handles_alike(a: str, b: str) -> bool:
    x, y = _plain(a).replace(" ", ""), _plain(b).replace(" ", "")
    if not x or not y:
        return False
    return x in y or y in x or difflib.SequenceMatcher(None, x, y).ratio() >= HANDLE_SIMILARITY


@dataclass(frozen=True, slots=True)
class Suggestion:
    contact: Contact
    reason: str  # "instagram_username", "email" or "name_and_handle"


def merge_suggestions(
    team_ids: list[int] | None, contact: Contact, *, limit: int = SUGGESTIONS_MAX
) -> list[Suggestion]:
    """Contacts the user may see that look like the same person and are not yet in its
    profile: the same Instagram username, the same e-mail address, or the same name
    (normalised) and a similar handle."""
    others = contacts_of_teams(team_ids).exclude(person_filter(contact))
    found: list[Suggestion] = []
    if contact.platform == Platform.INSTAGRAM and contact.handle:
        # Instagram names a mention's author by username only (``@username``), a DM's by its
        # IGSID: the same username on two Instagram contacts is most likely one person (a
        # username can change hands, so it is a suggestion, never merged by itself).
        same = others.filter(platform=Platform.INSTAGRAM, handle__iexact=contact.handle)
        found += [Suggestion(o, "instagram_username") for o in same.order_by("pk")[:limit]]
    if contact.email:
        mailed = others.filter(email__iexact=contact.email).exclude(
            pk__in=[s.contact.pk for s in found]
        )
        for other in mailed.order_by("pk")[:limit]:
            found.append(Suggestion(other, "email"))
    if words := contact.name.casefold().split():
        # Same words whatever the case, spacing and punctuation between them (in SQL); accents
        # are compared after (``_plain``), on the few rows found.
        pattern = r"^\W*" + r"\W+".join(re.escape(w) for w in words) + r"\W*$"
        same_name = others.filter(name__iregex=pattern).exclude(
            pk__in=[s.contact.pk for s in found]
        )
        for other in same_name.order_by("pk")[: limit * 5]:
            if _plain(other.name) == _plain(contact.name) and handles_alike(
                other.handle, contact.handle
            ):
                found.append(Suggestion(other, "name_and_handle"))
    return found[:limit]
