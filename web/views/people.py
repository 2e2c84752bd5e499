"""The People page: everyone with their roles, teams and state, the invitations still open, the
invitation form, and one person's roles, teams and names.

Admins change things (``inbox.manage_people``); managers read the list of their teams' people.
The services decide what is allowed (an address that already has an account, the last admin);
a refusal tied to a field is shown beside it, anything else rises to web/errors.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from inbox.exceptions import InvalidInput
from inbox.selectors.people import (
    invitation_is_expired,
    invitation_pending_list,
    people_list,
    person_detail,
    team_admin_list,
)
from inbox.services.invitations import invitation_create
from inbox.services.people import person_update
from web.views import first_run
from web.views.people_access import (
    may_manage_people,
    require_people_manager,
    require_people_reader,
)
from web.views.people_forms import InviteForm, PersonForm, show_error


def invitation_base_url(request: HttpRequest) -> str:
    """Where the link in the e-mail points: the address this admin reached Svar at (its host is
    one of ALLOWED_HOSTS), so the link works on whichever address the organisation serves."""
    return request.build_absolute_uri("/")


@login_required
@require_GET
def people_page(request: HttpRequest) -> HttpResponse:
    require_people_reader(request.user)
    user = request.user
    invitations = invitation_pending_list(user=user)
    for invitation in invitations:
        invitation.expired = invitation_is_expired(invitation)  # the admin sends it again
    context = {
        "people": people_list(user=user),
        "invitations": invitations,
        "may_manage": may_manage_people(user),
        "guide": first_run.in_progress(request),
    }
    return render(request, "people/people.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def invite_page(request: HttpRequest) -> HttpResponse:
    require_people_manager(request.user)
    teams = team_admin_list(user=request.user)
    if request.method == "GET":
        initial = {"roles": ["agent"], "language": request.LANGUAGE_CODE}
        form = InviteForm(teams=teams, initial=initial)
        return render(request, "people/invite.html", {"form": form})
    form = InviteForm(request.POST, teams=teams)
    if form.is_valid():
        data = form.cleaned_data
        try:
            invitation = invitation_create(
                user=request.user,
                email=data["email"],
                public_name=data["public_name"],
                initials=data["initials"],
                language=data["language"],
                roles=data["roles"],
                team_ids=data["teams"],
                base_url=invitation_base_url(request),
            )
        except InvalidInput as error:
            show_error(form, error)
        else:
            messages.success(
                request,
                _("An invitation is on its way to %(email)s.") % {"email": invitation.email},
            )
            return redirect("first-run" if first_run.in_progress(request) else "people")
    return render(request, "people/invite.html", {"form": form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def person_page(request: HttpRequest, agent_id: int) -> HttpResponse:
    """One person: their names, roles and teams, and the way to deactivate or reactivate them."""
    require_people_manager(request.user)
    person = person_detail(user=request.user, agent_id=agent_id)
    teams = team_admin_list(user=request.user)
    if request.method == "GET":
        initial = {
            "public_name": person.public_name,
            "initials": person.initials,
            "roles": person.roles,
            "teams": person.team_ids,
            "version": person.version,
        }
        form = PersonForm(teams=teams, initial=initial)
        return render(request, "people/person.html", {"person": person, "form": form})
    form = PersonForm(request.POST, teams=teams)
    if form.is_valid():
        data = form.cleaned_data
        try:
            person_update(
                user=request.user,
                agent_id=agent_id,
                roles=data["roles"],
                team_ids=data["teams"],
                public_name=data["public_name"],
                initials=data["initials"],
                version=data["version"],
            )
        except InvalidInput as error:
            show_error(form, error)
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": data["public_name"]})
            return redirect("people")
    context = {"person": person, "form": form}
    return render(request, "people/person.html", context, status=400)
