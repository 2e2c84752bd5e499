"""The three roles, as Django groups with permissions."""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext_lazy as _

from inbox.stored_text import Text


class Role(StrEnum):
    AGENT = "agent"
    MANAGER = "manager"
    ADMIN = "admin"


# Each role holds its own permissions plus those of the roles before it.
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.AGENT: ("inbox.view_conversation", "inbox.change_conversation"),
    Role.MANAGER: (
        "inbox.view_metrics",
        "inbox.view_auditentry",
        "inbox.view_people",
        "inbox.change_guidelinerule",  # edit the team's guidelines and rules (issue #16)
        "inbox.change_replyapproval",  # approve colleagues' replies (issue #16)
        # Deleting a customer's comment cannot be undone: managers, not agents (docs/moderation.md).
        "inbox.delete_public_comment",
        "inbox.change_automoderationrule",  # what an account hides on its own
        "inbox.add_datarequest",  # export or erase a customer's data (issue #19)
        "inbox.legal_hold",  # keep a conversation out of retention (issue #19)
    ),
    Role.ADMIN: ("inbox.view_all_teams", "inbox.manage_channels", "inbox.manage_people"),
}


def permissions_of(role: Role) -> list[str]:
    ordered = list(Role)
    return [p for r in ordered[: ordered.index(role) + 1] for p in ROLE_PERMISSIONS[r]]


def role_of(user: AbstractBaseUser | AnonymousUser) -> Role | None:
    """The highest role the user holds (superusers are admins)."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    names = {group.name for group in user.groups.all()}
    for role in reversed(Role):
        if role.value in names:
            return role
    return None


def ensure_role_groups(**_: object) -> None:
    """Create or refresh the role groups; runs after every migrate."""
    from django.contrib.auth.models import Group, Permission

    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = []
        for dotted in permissions_of(role):
            app_label, codename = dotted.split(".")
            wanted.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)


# --- assigning roles (inbox/services/people.py, inbox/services/invitations.py) -----------------


def roles_parse(values: object) -> list[Role]:
    """The roles named in ``values`` (a list of "agent", "manager", "admin"), in Role order;
    at least one. InvalidInput names the unknown one."""
    from inbox.exceptions import InvalidInput

    if isinstance(values, str) or not isinstance(values, list | tuple | set | frozenset):
        raise InvalidInput(_("Roles are a list of role names."), field="roles")
    known = {role.value: role for role in Role}
    unknown = sorted(str(v) for v in values if v not in known)
    if unknown:
        raise InvalidInput(
            Text(_("Unknown role %(unknown)s."), unknown=repr(unknown[0])), field="roles"
        )
    if not values:
        raise InvalidInput(_("A person needs at least one role."), field="roles")
    return [role for role in Role if role.value in values]


def role_names_of(user: AbstractBaseUser) -> list[str]:
    """The role groups the user is in (a superuser's flag is not one of them)."""
    names = {group.name for group in user.groups.all()}
    return [role.value for role in Role if role.value in names]


def roles_set(user: AbstractBaseUser, roles: list[Role]) -> None:
    """Put the user in exactly these role groups; other groups are left alone."""
    from django.contrib.auth.models import Group

    wanted = set(Group.objects.filter(name__in=[r.value for r in roles]))
    current = set(user.groups.filter(name__in=[r.value for r in Role]))
    user.groups.remove(*(current - wanted))
    user.groups.add(*(wanted - current))
