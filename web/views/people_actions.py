"""What an admin does to a person or an invitation with one button: deactivate and reactivate
a person, send an invitation again, revoke it. The lasting ones ask first: GET shows what will
happen, POST does it (and redirects back to the People page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from inbox.selectors.people import invitation_pending_list, person_detail
from inbox.services.invitations import invitation_resend, invitation_revoke
from inbox.services.people import person_deactivate, person_reactivate
from web.views.people import invitation_base_url
from web.views.people_access import require_people_manager

# Each person action: the service, what the page asks, what it says when done.
PERSON_ACTIONS: dict[str, tuple[Callable[..., Any], str, Promise]] = {
    "deactivate": (
        person_deactivate,
        "people/confirm_deactivate.html",
        gettext_lazy("%(name)s is deactivated; their sessions and API tokens have ended."),
    ),
    "reactivate": (
        person_reactivate,
        "people/confirm_reactivate.html",
        gettext_lazy("%(name)s can sign in again."),
    ),
}


def _person_action(request: HttpRequest, agent_id: int, action: str) -> HttpResponse:
    require_people_manager(request.user)
    person = person_detail(user=request.user, agent_id=agent_id)
    service, template, done = PERSON_ACTIONS[action]
    if request.method == "GET":
        return render(request, template, {"person": person})
    service(user=request.user, agent_id=agent_id)
    messages.success(request, str(done) % {"name": person.public_name})
    return redirect("people")


@login_required
@require_http_methods(["GET", "POST"])
def person_deactivate_page(request: HttpRequest, agent_id: int) -> HttpResponse:
    return _person_action(request, agent_id, "deactivate")


@login_required
@require_http_methods(["GET", "POST"])
def person_reactivate_page(request: HttpRequest, agent_id: int) -> HttpResponse:
    return _person_action(request, agent_id, "reactivate")


@login_required
@require_POST
def invitation_resend_page(request: HttpRequest, invitation_id: int) -> HttpResponse:
    require_people_manager(request.user)
    invitation = invitation_resend(
        user=request.user, invitation_id=invitation_id, base_url=invitation_base_url(request)
    )
    messages.success(
        request,
        _("A new invitation is on its way to %(email)s; the earlier link no longer works.")
        % {"email": invitation.email},
    )
    return redirect("people")


@login_required
@require_http_methods(["GET", "POST"])
def invitation_revoke_page(request: HttpRequest, invitation_id: int) -> HttpResponse:
    require_people_manager(request.user)
    if request.method == "GET":
        pending = {i.pk: i for i in invitation_pending_list(user=request.user)}
        invitation = pending.get(invitation_id)
        if invitation is None:
            return redirect("people")  # used, revoked or never there: nothing left to revoke
        return render(request, "people/confirm_revoke.html", {"invitation": invitation})
    invitation_revoke(user=request.user, invitation_id=invitation_id)
    messages.success(request, _("The invitation is revoked; its link no longer works."))
    return redirect("people")
