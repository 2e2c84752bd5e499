"""The team's guidelines page: everyone reads the text and the rules; managers edit them and
mark who needs approval. Forms post here; the services check roles and audit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from inbox.exceptions import InvalidInput, NotFound
from inbox.guidelines.rules import DATA_KINDS
from inbox.params import id_param
from inbox.permissions.access import visible_team_ids
from inbox.permissions.guidelines import access_team
from inbox.selectors.agents import agent_list
from inbox.selectors.guidelines import guideline_get
from inbox.selectors.teams import team_list
from inbox.services import guidelines as services
from web.api.guidelines import guideline_out
from web.markdown import render_markdown

KIND_LABELS = {
    "personal_data": _("Personal data"),
    "words": _("Words and phrases"),
    "pattern": _("Regular expression"),
    "links": _("Links outside the allowed domains"),
    "tag": _("Conversations with a tag"),
}


def guideline_html(team_id: int) -> str:
    """The team's guidelines as sanitised HTML, "" when it has written none."""
    guideline = guideline_get(team_id=team_id)
    return render_markdown(guideline.text) if guideline and guideline.text.strip() else ""


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]


def _rule_data(post: Any) -> dict[str, Any]:
    return {
        "name": post.get("name", ""),
        "kind": post.get("kind", ""),
        "action": post.get("action", ""),
        "words": _lines(post.get("words", "")),
        "pattern": post.get("pattern", ""),
        "allowed_domains": _lines(post.get("allowed_domains", "")),
        "tag": post.get("tag", ""),
        "data_kinds": post.getlist("data_kinds"),
    }


def _apply(request: HttpRequest, team_id: int) -> None:
    """One manager's edit from the page's forms."""
    post, user = request.POST, request.user
    what = post.get("form")
    if what == "text":
        services.guideline_text_set(user=user, team_id=team_id, text=post.get("text", ""))
    elif what == "add_rule":
        services.guideline_rule_create(user=user, team_id=team_id, data=_rule_data(post))
    elif what == "delete_rule":
        rule_id = id_param(post, "rule_id")
        if rule_id is None:
            raise InvalidInput(_("Choose a rule."), field="rule_id")
        services.guideline_rule_delete(user=user, rule_id=rule_id)
    elif what == "approval":
        agent_id = id_param(post, "agent_id")
        if agent_id is None:
            raise InvalidInput(_("Choose an agent."), field="agent_id")
        services.agent_approval_set(
            user=user,
            team_id=team_id,
            agent_id=agent_id,
            needs_approval=post.get("needs_approval") == "on",
            may_approve=post.get("may_approve") == "on",
        )
    else:
        raise InvalidInput(_("Unknown form."), field="form")


@login_required
def guideline_page(request: HttpRequest) -> HttpResponse:
    teams = team_list(team_ids=visible_team_ids(request.user))
    if not teams:
        raise NotFound(_("You belong to no team."))
    team_id = id_param(request.GET, "team") or teams[0].pk
    team = access_team(request.user, team_id)
    if request.method == "POST":
        try:
            _apply(request, team.pk)
        except InvalidInput as error:  # shown beside the form, like the profile's
            messages.error(request, error.message)
        else:
            messages.success(request, _("Saved."))
        return HttpResponseRedirect(f"{reverse('guidelines')}?team={team.pk}")
    data = guideline_out(team.pk)
    return render(
        request,
        "guidelines/page.html",
        {
            "team": team,
            "teams": teams,
            "guideline": data,
            "kinds": KIND_LABELS,
            "data_kinds": DATA_KINDS,
            "may_edit": request.user.has_perm("inbox.change_guidelinerule"),
            "members": agent_list(team_id=team.pk),
        },
    )
