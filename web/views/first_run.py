"""The first-run guide: on a Svar with no teams and no channel accounts (``./svar run --no-demo``,
a fresh production database) the first admin's first visit of the inbox leads here, through
(0) their own agent profile when they are a superuser without one (``createsuperuser``),
(1) a team, (2) a channel account (skippable: it may be connected later), and (3) colleagues to
invite (skippable). The guide's progress lives in the session; what is done is read from the
data, so a step done elsewhere (the People page, the Channels page) counts here too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from inbox.exceptions import InvalidInput, PermissionDenied
from inbox.selectors.setup import setup_started, setup_state
from inbox.services.people import agent_profile_ensure_for_superuser
from inbox.services.teams import team_create
from web.agent_profile import MESSAGE as NO_PROFILE
from web.agent_profile import NoAgentProfile, has_agent_profile
from web.views.people_access import may_manage_people
from web.views.people_forms import ProfileStartForm, TeamForm, show_error

SESSION_KEY = "svar_first_run"  # "active" while the guide runs, "done" after
SKIPPED_KEY = "svar_first_run_skipped"
ACTIVE, DONE = "active", "done"
SKIPPABLE = ("channel", "invite")


@dataclass(frozen=True, slots=True)
class Steps:
    profile: bool
    team: bool
    channel: bool
    invite: bool
    skipped: frozenset[str]

    @property
    def complete(self) -> bool:
        return self.profile and self.team and self.channel and self.invite


def _steps(request: HttpRequest) -> Steps:
    state = setup_state()
    skipped = frozenset(request.session.get(SKIPPED_KEY, []))
    return Steps(
        profile=has_agent_profile(request.user),
        team=state.has_team,
        channel=state.has_channel_account or "channel" in skipped,
        invite=state.has_colleague or "invite" in skipped,
        skipped=skipped,
    )


def in_progress(request: HttpRequest) -> bool:
    return request.session.get(SESSION_KEY) == ACTIVE


def guide_redirect(request: HttpRequest) -> HttpResponse | None:
    """For the inbox page: an admin's first visit of an empty Svar goes to the guide, and so
    does every visit until the guide is done. Others, and a Svar already set up, pass; the
    answer is kept in the session, so the check costs a query only once."""
    status = request.session.get(SESSION_KEY)
    if status == DONE or not may_manage_people(request.user):
        return None
    if status is None and setup_started():
        request.session[SESSION_KEY] = DONE
        return None
    if status == ACTIVE and _steps(request).complete:
        request.session[SESSION_KEY] = DONE
        return None
    request.session[SESSION_KEY] = ACTIVE
    return redirect("first-run")


def _allowed(request: HttpRequest) -> None:
    """A superuser without a profile may start here; otherwise the guide is the admins'."""
    user = request.user
    if not has_agent_profile(user):
        if not user.is_superuser:
            raise NoAgentProfile(str(NO_PROFILE))
    elif not may_manage_people(user):
        raise PermissionDenied(_("The setup guide is for admins."))


def _save_profile(request: HttpRequest, data: dict[str, Any]) -> None:
    agent_profile_ensure_for_superuser(user=request.user, **data)
    messages.success(request, _("Your agent profile is ready."))


def _save_team(request: HttpRequest, data: dict[str, Any]) -> None:
    team = team_create(user=request.user, name=data["name"])
    messages.success(request, _("Team %(name)s is created.") % {"name": team.name})


STEP_FORMS: dict[str, tuple[type[forms.Form], Callable[[HttpRequest, dict[str, Any]], None]]] = {
    "profile": (ProfileStartForm, _save_profile),
    "team": (TeamForm, _save_team),
}


def _step_form(request: HttpRequest, steps: Steps, action: str) -> dict[str, Any] | None:
    """The profile or team step's form: None when it was saved (or is not open), else the form
    to show again with its errors (the service's beside their field)."""
    open_now = {"profile": not steps.profile, "team": steps.profile}
    if not open_now.get(action):
        return None
    form_class, save = STEP_FORMS[action]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            save(request, form.cleaned_data)
        except InvalidInput as error:
            show_error(form, error)
        else:
            return None
    return {f"{action}_form": form}


def _post(request: HttpRequest, steps: Steps) -> HttpResponse | dict[str, Any]:
    """One step's answer; a redirect when it worked, the forms to show again when not."""
    action = request.POST.get("action", "")
    if action in SKIPPABLE:
        request.session[SKIPPED_KEY] = sorted(steps.skipped | {action})
    elif action == "finish" and steps.complete:
        request.session[SESSION_KEY] = DONE
        return redirect("inbox")
    elif (forms := _step_form(request, steps, action)) is not None:
        return forms
    return redirect("first-run")


@login_required
@require_http_methods(["GET", "POST"])
def first_run_page(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    steps = _steps(request)
    shown: dict[str, Any] = {}
    if not steps.complete:
        request.session[SESSION_KEY] = ACTIVE  # the inbox leads back here until it is
    if request.method == "POST":
        answer = _post(request, steps)
        if isinstance(answer, HttpResponse):
            return answer
        shown = answer
    context = {
        "steps": steps,
        "profile_form": shown.get("profile_form") or ProfileStartForm(),
        "team_form": shown.get("team_form") or TeamForm(),
        "channels_url": reverse("channels"),
    }
    return render(request, "first_run/guide.html", context, status=400 if shown else 200)
