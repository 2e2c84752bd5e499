"""Who may edit a team's guidelines, and who may approve a colleague's reply (issue #16)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from inbox.exceptions import NotFound, PermissionDenied
from inbox.models import Agent, GuidelineRule, Team
from inbox.permissions.access import agent_of, visible_team_ids
from inbox.stored_text import Text


def access_team(user: AbstractBaseUser, team_id: int) -> Team:
    """A team the user belongs to (any team for admins); another team is not found."""
    team_ids = visible_team_ids(user)
    if team_ids is not None and team_id not in team_ids:
        raise NotFound(Text(_("Team %(team_id)s was not found."), team_id=team_id))
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise NotFound(Text(_("Team %(team_id)s was not found."), team_id=team_id))
    return team


def access_rule(user: AbstractBaseUser, rule_id: int) -> GuidelineRule:
    """A rule of one of the user's teams; another team's rule is not found."""
    rule = GuidelineRule.objects.filter(pk=rule_id).first()
    team_ids = visible_team_ids(user)
    if rule is None or (team_ids is not None and rule.team_id not in team_ids):
        raise NotFound(Text(_("Rule %(rule_id)s was not found."), rule_id=rule_id))
    return rule


def check_may_edit_guidelines(user: AbstractBaseUser) -> None:
    if not user.has_perm("inbox.change_guidelinerule"):
        raise PermissionDenied(_("Only managers may change the team's guidelines."))


def may_approve(user: AbstractBaseUser) -> bool:
    """Managers, and agents granted the right."""
    if user.has_perm("inbox.change_replyapproval"):
        return True
    try:
        return user.agent.may_approve
    except Agent.DoesNotExist:
        return False


def approver_of(user: AbstractBaseUser) -> Agent:
    agent = agent_of(user)
    if not may_approve(user):
        raise PermissionDenied(_("You may not approve replies."))
    return agent
