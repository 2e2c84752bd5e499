"""Who may use the people and teams pages: admins manage (``inbox.manage_people``), managers
read (``inbox.view_people``), agents are refused. The services check writes again; these checks
keep a page from showing a form its reader may not send."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from inbox.exceptions import PermissionDenied
from inbox.permissions.people import MANAGE, VIEW


def may_manage_people(user: AbstractBaseUser) -> bool:
    return user.has_perm(MANAGE)


def require_people_manager(user: AbstractBaseUser) -> None:
    if not may_manage_people(user):
        raise PermissionDenied(_("Only an admin may change people and teams."))


def require_people_reader(user: AbstractBaseUser) -> None:
    if not (user.has_perm(VIEW) or may_manage_people(user)):
        raise PermissionDenied(_("Your role does not allow seeing people and teams."))
