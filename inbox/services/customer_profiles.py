"""Merging a customer's contacts into one profile, and splitting one off again (issue #19).

Contacts are locked in id order (docs/architecture.md §3.5, lock 4), before any conversation;
these services take no other lock and announce no event: no conversation's snapshot changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inbox.audit import audit
from inbox.exceptions import PermissionDenied
from inbox.models import AuditAction, Contact, CustomerProfile
from inbox.permissions.access import agent_of, conversations_of_teams, readable_team_ids
from inbox.selectors.customers import contact_access, person_filter


@dataclass(frozen=True, slots=True)
class ProfileChange:
    changed: bool  # False: the contacts already were as asked, nothing was written
    profile_id: int | None
    contact_ids: list[int]  # the person's contacts afterwards (of the contact asked about)


def _may_change(user: AbstractBaseUser) -> None:
    if not user.has_perm("inbox.change_conversation"):
        raise PermissionDenied(_("Your role does not allow changing customers."))


def _lock(where: Q) -> list[Contact]:
    return list(Contact.objects.select_for_update(no_key=True).filter(where).order_by("pk"))


def _team_of(team_ids: list[int] | None, contact: Contact) -> int | None:
    """The team an audit entry about the contact belongs to: its latest conversation's."""
    latest = conversations_of_teams(team_ids).filter(contact_id=contact.pk)
    return latest.order_by("-last_message_at").values_list("team_id", flat=True).first()


@transaction.atomic(durable=True)
def contacts_merge(*, user: AbstractBaseUser, contact_id: int, other_id: int) -> ProfileChange:
    """Put ``other_id``'s person (every contact of its profile) into ``contact_id``'s profile.
    Both must be customers the user can see. Contacts already in one profile: no change."""
    _may_change(user)
    teams = readable_team_ids(user)
    contact, other = contact_access(user, contact_id), contact_access(user, other_id)
    locked = _lock(person_filter(contact) | person_filter(other))
    mine = next(c for c in locked if c.pk == contact.pk)
    theirs = next(c for c in locked if c.pk == other.pk)
    if mine.pk == theirs.pk or (mine.profile_id and mine.profile_id == theirs.profile_id):
        ids = [c.pk for c in locked]
        return ProfileChange(changed=False, profile_id=mine.profile_id, contact_ids=ids)
    profile_id = mine.profile_id or theirs.profile_id or CustomerProfile.objects.create().pk
    emptied = {c.profile_id for c in locked} - {profile_id, None}
    Contact.objects.filter(pk__in=[c.pk for c in locked]).update(profile_id=profile_id)
    CustomerProfile.objects.filter(pk__in=emptied).delete()
    ids = [c.pk for c in locked]
    audit(
        AuditAction.CONTACT_MERGED, actor=agent_of(user), object_type="customer_profile",
        object_id=profile_id, team_id=_team_of(teams, mine),
        details={"contact_ids": ids, "merged_contact_id": theirs.pk},
    )  # fmt: skip
    return ProfileChange(changed=True, profile_id=profile_id, contact_ids=ids)


@transaction.atomic(durable=True)
def contact_unmerge(*, user: AbstractBaseUser, contact_id: int) -> ProfileChange:
    """Split the contact off its profile; a profile left with one contact is dissolved."""
    _may_change(user)
    teams = readable_team_ids(user)
    contact = contact_access(user, contact_id)
    locked = _lock(person_filter(contact))
    if len(locked) < 2 or contact.profile_id is None:
        return ProfileChange(changed=False, profile_id=None, contact_ids=[contact.pk])
    profile_id = contact.profile_id
    remaining = [c.pk for c in locked if c.pk != contact.pk]
    Contact.objects.filter(pk=contact.pk).update(profile_id=None)
    if len(remaining) == 1:
        Contact.objects.filter(pk__in=remaining).update(profile_id=None)
        CustomerProfile.objects.filter(pk=profile_id).delete()
    audit(
        AuditAction.CONTACT_UNMERGED, actor=agent_of(user), object_type="customer_profile",
        object_id=profile_id, team_id=_team_of(teams, contact),
        details={"contact_id": contact.pk, "remaining_contact_ids": remaining},
    )  # fmt: skip
    return ProfileChange(changed=True, profile_id=None, contact_ids=[contact.pk])
