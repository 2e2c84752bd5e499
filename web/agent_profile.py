"""Svar is for agents: a signed-in user without an agent profile (say, one made with
``createsuperuser``) is told so on every page and API route, instead of meeting whatever the
first view to need the agent would do with its absence.

Pages are checked by ``page_check`` (run by web/errors.py's middleware before the view); the API
by ``HasAgentProfile`` (DRF authenticates API tokens inside the view, after the middleware). The
admin, login and logout stay open: the admin is where such a user is given a profile; so do an
invitation's page (for people with no account yet) and the first-run guide, where a superuser
without a profile, the first admin, makes their own: every other page leads them there.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from inbox.exceptions import PermissionDenied
from inbox.models import Agent

MESSAGE = _("Your account has no agent profile; ask an administrator to give you one.")
OPEN_NAMESPACES = frozenset({"admin"})
OPEN_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "healthz",
        "readyz",
        "invitation-accept",
        "first-run",
        "accessibility",
        "favicon",
    }
)
FIRST_RUN = "first-run"  # where a superuser without a profile makes one (web/views/first_run.py)


class NoAgentProfile(PermissionDenied):
    code = "no_agent_profile"


def has_agent_profile(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Reads ``user.agent``, which Django then keeps on the user for the view that follows."""
    try:
        user.agent  # noqa: B018 -- the lookup is the check
    except Agent.DoesNotExist:
        return False
    return True


def _require(user: Any) -> None:
    if user is not None and user.is_authenticated and not has_agent_profile(user):
        raise NoAgentProfile(str(MESSAGE))


def page_check(request: HttpRequest) -> HttpResponse | None:
    """Raises NoAgentProfile for a page other than the open ones; anonymous users are left to
    login_required, API routes to HasAgentProfile. A superuser without a profile (the first
    admin, made with ``createsuperuser``) is sent to the first-run guide to make one."""
    match = request.resolver_match
    if match is None or request.path.startswith("/api/"):
        return None
    if OPEN_NAMESPACES.intersection(match.namespaces) or match.url_name in OPEN_URL_NAMES:
        return None
    user = getattr(request, "user", None)
    if user is not None and user.is_superuser and not has_agent_profile(user):
        return redirect(FIRST_RUN)
    _require(user)
    return None


class HasAgentProfile(BasePermission):
    """DRF's default permission after IsAuthenticated (web/settings.py)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        _require(request.user)  # the domain error: web.errors.exception_handler shapes it
        return True
