"""The team-flow page (issue #17): a team's automatic assignment and automation rules, for its
managers and admins. Forms post here; the services check who may and audit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inbox.automation.language import LANGUAGES
from inbox.exceptions import InvalidInput, NotFound
from inbox.metrics.filters import metric_team_ids
from inbox.models import AssignmentStrategy, Priority
from inbox.params import id_param, int_param
from inbox.selectors.agents import agent_list
from inbox.selectors.teams import team_list
from inbox.services import automation
from inbox.services.team_assignment import team_assignment_get, team_assignment_set

PLATFORM_LABELS = {
    "x": "X", "facebook": "Facebook", "instagram": "Instagram", "email": gettext_lazy("E-mail"),
}  # fmt: skip
LANGUAGE_LABELS = {"da": _("Danish"), "sv": _("Swedish"), "nb": _("Norwegian"), "en": _("English")}


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]


def _rule_body(post: Any) -> dict[str, Any]:
    conditions: dict[str, Any] = {
        "words": _lines(post.get("words", "")),
        "languages": [v for v in post.getlist("languages") if v in LANGUAGES],
        "platforms": post.getlist("platforms"),
        "kinds": post.getlist("kinds"),
    }
    actions: dict[str, Any] = {"tags": _lines(post.get("tags", ""))}
    if post.get("priority"):
        actions["priority"] = post["priority"]
    if agent_id := id_param(post, "agent_id"):
        actions["agent_id"] = agent_id
    if team_id := id_param(post, "move_team_id"):
        actions["team_id"] = team_id
    if minutes := int_param(post, "snooze_minutes", default=0, minimum=0, maximum=525_600):
        actions["snooze_minutes"] = minutes
    return {
        "name": post.get("name", ""),
        "trigger": post.get("trigger", ""),
        "conditions": {k: v for k, v in conditions.items() if v},
        "actions": {k: v for k, v in actions.items() if v},
    }


def _apply(request: HttpRequest, team_id: int) -> None:
    post, user = request.POST, request.user
    what = post.get("form")
    if what == "assignment":
        team_assignment_set(
            user=user, team_id=team_id, enabled=post.get("enabled") == "on",
            strategy=post.get("strategy", ""),
            capacity=int_param(post, "capacity", default=0, minimum=0, maximum=10_000),
            offline_release_minutes=int_param(
                post, "offline_release_minutes", default=0, minimum=0, maximum=100_000
            ),
        )  # fmt: skip
    elif what == "add_rule":
        automation.automation_rule_create(user=user, team_id=team_id, body=_rule_body(post))
    elif what == "delete_rule":
        rule_id = id_param(post, "rule_id")
        if rule_id is None:
            raise InvalidInput(_("Choose a rule."), field="rule_id")
        automation.automation_rule_delete(user=user, rule_id=rule_id)
    else:
        raise InvalidInput(_("Unknown form."), field="form")


@login_required
def team_flow_page(request: HttpRequest) -> HttpResponse:
    team_ids = metric_team_ids(request.user)  # managers and admins; others are refused
    teams = team_list(team_ids=team_ids)
    if not teams:
        raise NotFound(_("You belong to no team."))
    team_id = id_param(request.GET, "team") or teams[0].pk
    if team_id not in team_ids:
        raise NotFound(_("Team %(id)s was not found.") % {"id": team_id})
    if request.method == "POST":
        try:
            _apply(request, team_id)
        except InvalidInput as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Saved."))
        return HttpResponseRedirect(f"{reverse('team-flow')}?team={team_id}")
    return render(
        request,
        "team_flow/page.html",
        {
            "team": next(t for t in teams if t.pk == team_id),
            "teams": teams,
            "assignment": team_assignment_get(user=request.user, team_id=team_id),
            "strategies": AssignmentStrategy.values,
            "rules": automation.automation_rule_list(user=request.user, team_id=team_id),
            "members": agent_list(team_id=team_id),
            "languages": LANGUAGE_LABELS,
            "platforms": PLATFORM_LABELS,
            "priorities": Priority.values,
        },
    )
