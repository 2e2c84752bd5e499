"""The team's retention settings page (admins change, managers read) and the legal hold
control of the conversation view (managers). The rules are the services'."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from inbox.exceptions import InvalidInput
from inbox.models import RetentionAction
from inbox.permissions.guidelines import access_team
from inbox.permissions.people import require_view_people
from inbox.retention import services
from inbox.retention.selectors import retention_settings


def _days(raw: str) -> int | str:
    try:
        return int(raw)
    except ValueError:
        return raw  # the service refuses it with its own words


def _apply(request: HttpRequest, team_id: int) -> None:
    services.check_may_set_retention(request.user)
    account_id = int(request.POST["account"]) if request.POST.get("account") else None
    if account_id:
        services.team_account(team_id, account_id)
    if account_id and request.POST.get("clear"):
        services.retention_policy_clear(user=request.user, team_id=team_id, account_id=account_id)
        return
    services.retention_policy_set(
        user=request.user, team_id=team_id, account_id=account_id,
        days=_days(request.POST.get("days", "")), action=request.POST.get("action"),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def retention_page(request: HttpRequest, team_id: int) -> HttpResponse:
    team = access_team(request.user, team_id)
    require_view_people(request.user)
    status, error = 200, ""
    if request.method == "POST":
        try:
            _apply(request, team_id)
        except InvalidInput as refused:
            status, error = 400, refused.message
        else:
            messages.success(request, _("The retention policy is saved."))
            return redirect("team-retention", team_id=team_id)
    context = {
        "team": team,
        "settings": retention_settings(team_id),
        "actions": RetentionAction.choices,
        "may_change": request.user.has_perm("inbox.manage_channels"),
        "error": error,
    }
    return render(request, "retention/page.html", context, status=status)


@login_required
@require_POST
def legal_hold_page(request: HttpRequest, conversation_id: int) -> HttpResponse:
    held = request.POST.get("held") == "true"
    services.legal_hold_set(user=request.user, conversation_id=conversation_id, held=held)
    if held:
        messages.success(request, _("The conversation is on legal hold."))
    else:
        messages.success(request, _("The legal hold is released."))
    return redirect("conversation", conversation_id=conversation_id)
