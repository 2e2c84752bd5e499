"""The Teams page: admins create and rename teams; managers see the teams and who is in them.

The rules (a unique name, who may write) are the services'; a refused name is shown beside the
field it belongs to, everything else rises to web/errors.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from inbox.composer.customer_texts import CUSTOMER_LANGUAGES
from inbox.exceptions import InvalidInput
from inbox.selectors.people import team_admin_list
from inbox.services.teams import team_create, team_rename
from web.views.people_access import (
    may_manage_people,
    require_people_manager,
    require_people_reader,
)
from web.views.people_forms import TeamForm, show_error


def _render(
    request: HttpRequest,
    *,
    create_form: TeamForm | None = None,
    renaming: int | None = None,
    rename_form: TeamForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "teams": team_admin_list(user=request.user),
        "may_manage": may_manage_people(request.user),
        "create_form": create_form or TeamForm(auto_id="id_new_%s"),
        "renaming": renaming,
        "rename_form": rename_form,
        "customer_languages": list(CUSTOMER_LANGUAGES.items()),
    }
    return render(request, "people/teams.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def teams_page(request: HttpRequest) -> HttpResponse:
    """GET: the teams. POST: a new team."""
    if request.method == "GET":
        require_people_reader(request.user)
        return _render(request)
    require_people_manager(request.user)
    form = TeamForm(request.POST, auto_id="id_new_%s")
    if form.is_valid():
        try:
            team = team_create(user=request.user, name=form.cleaned_data["name"])
        except InvalidInput as error:
            show_error(form, error)
        else:
            messages.success(request, _("Team %(name)s is created.") % {"name": team.name})
            return redirect("teams")
    return _render(request, create_form=form, status=400)


@login_required
@require_POST
def team_rename_page(request: HttpRequest, team_id: int) -> HttpResponse:
    require_people_manager(request.user)
    form = TeamForm(request.POST, auto_id=f"id_team{team_id}_%s")
    if form.is_valid():
        try:
            team = team_rename(
                user=request.user, team_id=team_id, name=form.cleaned_data["name"],
                customer_language=request.POST.get("customer_language"),
            )  # fmt: skip
        except InvalidInput as error:
            show_error(form, error)
        else:
            messages.success(request, _("The team is now called %(name)s.") % {"name": team.name})
            return redirect("teams")
    return _render(request, renaming=team_id, rename_form=form, status=400)
