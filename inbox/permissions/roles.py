"""The three roles, as Django groups with permissions."""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


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
        # Deleting a customer's comment cannot be undone: managers, not agents (docs/moderation.md).
        "inbox.delete_public_comment",
        "inbox.change_automoderationrule",  # what an account hides on its own
    ),
    Role.ADMIN: ("inbox.view_all_teams", "inbox.manage_channels"),
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
