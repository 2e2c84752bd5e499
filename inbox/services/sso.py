"""People who sign in through the organisation's identity provider (single sign-on).

The provider vouches for who someone is and which groups they are in; the group mapping
(``SVAR_OIDC_GROUP_MAP``, read by the web layer) turns groups into Svar's role and teams. The
first sign-in creates the person (User, agent profile, role, teams) in one transaction; every
later sign-in makes their role and teams follow the groups again. Both are audited. Someone
whose groups give no team is refused and nothing is written: a half-made account would be an
account nobody asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils.translation import gettext_lazy

from inbox.audit import audit
from inbox.exceptions import InvalidInput, PermissionDenied
from inbox.models import Agent, AuditAction, Team
from inbox.permissions.roles import Role
from inbox.stored_text import Text

INITIALS_MAX = Agent._meta.get_field("initials").max_length
PUBLIC_NAME_MAX = Agent._meta.get_field("public_name").max_length


@dataclass(frozen=True, slots=True)
class SsoIdentity:
    """Verified claims: the ID token's signature, audience and nonce have been checked."""

    email: str
    name: str
    groups: tuple[str, ...]
    provider: str  # the provider's name, for messages and the audit log


@dataclass(frozen=True, slots=True)
class Access:
    role: Role
    team_ids: frozenset[int]


def parse_group_map(raw: Mapping[str, object]) -> dict[str, tuple[str | None, Role]]:
    """``{"group": {"team": "Name", "role": "agent"}}`` checked once, at start."""
    mapping: dict[str, tuple[str | None, Role]] = {}
    for group, entry in raw.items():
        if not isinstance(entry, Mapping):
            raise InvalidInput(
                Text(
                    gettext_lazy("SVAR_OIDC_GROUP_MAP[%(group)s] must be an object."),
                    group=repr(group),
                )
            )
        try:
            role = Role(entry.get("role", Role.AGENT))
        except ValueError:
            raise InvalidInput(
                Text(
                    gettext_lazy(
                        "SVAR_OIDC_GROUP_MAP[%(group)s]: role must be agent, manager or admin."
                    ),
                    group=repr(group),
                )
            ) from None
        team = entry.get("team")
        mapping[str(group)] = (str(team) if team else None, role)
    return mapping


def access_from_groups(
    groups: Iterable[str], mapping: Mapping[str, tuple[str | None, Role]]
) -> Access | None:
    """The highest role of the matching groups and the union of their (existing) teams;
    None when no group names a team that exists."""
    matched = [mapping[group] for group in groups if group in mapping]
    team_names = {team for team, _ in matched if team}
    team_ids = frozenset(Team.objects.filter(name__in=team_names).values_list("pk", flat=True))
    if not team_ids:
        return None
    ranks = list(Role)
    role = max((role for _, role in matched), key=ranks.index)
    return Access(role=role, team_ids=team_ids)


def derived_initials(name: str, email: str) -> str:
    words = [word for word in name.split() if word[:1].isalpha()]
    if len(words) >= 2:
        return (words[0][0] + words[-1][0]).upper()
    source = words[0] if words else email.split("@")[0]
    return source[:2].upper() or "?"


def _refuse_without_access(identity: SsoIdentity, access: Access | None) -> Access:
    if access is None:
        raise PermissionDenied(
            Text(
                gettext_lazy(
                    "Your groups at %(provider)s give you no team in Svar, so you cannot "
                    "sign in yet. Ask an administrator to map one of your groups to a team."
                ),
                provider=identity.provider,
            ),
            reason="no_team",
        )
    return access


def _current_access(user: User, agent: Agent) -> tuple[set[str], set[int]]:
    roles = set(user.groups.filter(name__in=list(Role)).values_list("name", flat=True))
    return roles, set(agent.teams.values_list("pk", flat=True))


def _apply(user: User, agent: Agent, access: Access) -> None:
    others = list(user.groups.exclude(name__in=list(Role)))
    user.groups.set([*others, Group.objects.get(name=access.role.value)])
    agent.teams.set(sorted(access.team_ids))


def person_from_sso_create(*, identity: SsoIdentity, access: Access | None) -> User:
    """The first sign-in: the person, their agent profile, role and teams, or nothing."""
    access = _refuse_without_access(identity, access)
    email = identity.email.strip().lower()
    name = (identity.name.strip() or email.split("@")[0])[:PUBLIC_NAME_MAX]
    with transaction.atomic():
        if User.objects.filter(username__iexact=email).exists():
            raise PermissionDenied(
                gettext_lazy(
                    "Another account already uses this address as its user name. Ask an "
                    "administrator to sort it out."
                ),
                reason="username_taken",
            )
        first, _, last = name.partition(" ")
        user = User(username=email, email=email, first_name=first[:150], last_name=last[:150])
        user.set_unusable_password()  # they sign in through the provider only
        user.save()
        agent = Agent.objects.create(
            user=user, public_name=name, initials=derived_initials(name, email)[:INITIALS_MAX]
        )
        _apply(user, agent, access)
        audit(
            AuditAction.PROFILE_CREATED,
            actor=agent,
            object_type="agent",
            object_id=agent.pk,
            team_id=None,
            details={
                "source": "single sign-on",
                "provider": identity.provider,
                "groups": sorted(identity.groups),
                "role": access.role.value,
                "team_ids": sorted(access.team_ids),
            },
        )
    return user


def person_from_sso_update(*, user_id: int, identity: SsoIdentity, access: Access | None) -> User:
    """A later sign-in: role and teams follow the provider's groups again."""
    with transaction.atomic():
        user = User.objects.select_for_update(no_key=True).get(pk=user_id)
        if not user.is_active:
            raise PermissionDenied(
                gettext_lazy("This account has been deactivated. Ask an administrator."),
                reason="deactivated",
            )
        access = _refuse_without_access(identity, access)
        agent = Agent.objects.filter(user=user).first()
        if agent is None:  # e.g. made with createsuperuser: the mapping gives the profile
            name = identity.name.strip() or user.get_username()
            agent = Agent.objects.create(
                user=user,
                public_name=name[:PUBLIC_NAME_MAX],
                initials=derived_initials(name, user.email)[:INITIALS_MAX],
            )
        before_roles, before_teams = _current_access(user, agent)
        if before_roles == {access.role.value} and before_teams == set(access.team_ids):
            return user
        _apply(user, agent, access)
        audit(
            AuditAction.PERSON_CHANGED,
            actor=agent,
            object_type="agent",
            object_id=agent.pk,
            team_id=None,
            details={
                "source": "single sign-on",
                "provider": identity.provider,
                "groups": sorted(identity.groups),
                "roles": {"before": sorted(before_roles), "after": [access.role.value]},
                "team_ids": {"before": sorted(before_teams), "after": sorted(access.team_ids)},
            },
        )
    return user
