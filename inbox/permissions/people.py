"""Who may manage people and teams: admins (and superusers) change them, managers read them.

Managers read so they can see who is in their teams; changing roles, teams and accounts stays
with admins, because a manager who could add people could also grant themselves more."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from inbox.exceptions import PermissionDenied
from inbox.models import Agent

MANAGE = "inbox.manage_people"
VIEW = "inbox.view_people"


def actor_managing_people(user: AbstractBaseUser) -> Agent | None:
    """The acting admin's agent profile (None for a superuser who has none yet)."""
    if not user.has_perm(MANAGE):
        raise PermissionDenied(_("Only admins can manage people and teams."))
    return Agent.objects.filter(user=user).first()


def require_view_people(user: AbstractBaseUser) -> None:
    if not (user.has_perm(VIEW) or user.has_perm(MANAGE)):
        raise PermissionDenied(_("Only managers and admins can see people and teams."))
