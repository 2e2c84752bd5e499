"""Managers and admins edit a team's automation rules (issue #17); ingest runs them
(inbox/services/automation_ingest.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from inbox.audit import audit
from inbox.automation.rules import Actions, actions_parse, conditions_parse
from inbox.exceptions import InvalidInput, NotFound
from inbox.metrics.filters import metric_team_ids
from inbox.models import Agent, AuditAction, AutomationRule, RuleTrigger, Team
from inbox.permissions.access import agent_of
from inbox.stored_text import Text

NAME_MAX = 100
RULES_PER_TEAM_MAX = 200


def _team_checked(user: AbstractBaseUser, team_id: int) -> None:
    if team_id not in metric_team_ids(user):
        raise NotFound(Text(_("Team %(team_id)s was not found."), team_id=team_id))


def automation_rule_list(*, user: AbstractBaseUser, team_id: int) -> list[AutomationRule]:
    _team_checked(user, team_id)
    return list(AutomationRule.objects.filter(team_id=team_id).order_by("position", "pk"))


def automation_rule_get(*, user: AbstractBaseUser, rule_id: int) -> AutomationRule:
    rule = AutomationRule.objects.filter(pk=rule_id).first()
    if rule is None or rule.team_id not in metric_team_ids(user):
        raise NotFound(Text(_("Rule %(rule_id)s was not found."), rule_id=rule_id))
    return rule


def _check_targets(team_id: int, actions: Actions) -> None:
    """What the actions name exists now (a team deleted later only makes the rule fail)."""
    target = actions.team_id or team_id
    if actions.team_id is not None and not Team.objects.filter(pk=actions.team_id).exists():
        raise InvalidInput(
            Text(_("Team %(team_id)s does not exist."), team_id=actions.team_id), field="team_id"
        )
    if (
        actions.agent_id is not None
        and not Agent.objects.filter(
            pk=actions.agent_id, teams=target, user__is_active=True
        ).exists()
    ):
        raise InvalidInput(
            Text(
                _("Agent %(agent_id)s is not an active member of team %(target)s."),
                agent_id=actions.agent_id,
                target=target,
            ),
            field="agent_id",
        )


def _fields(team_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
    name = " ".join(str(body.get("name", "")).split())
    if not 0 < len(name) <= NAME_MAX:
        raise InvalidInput(
            Text(_("A rule needs a name of 1 to %(name_max)s characters."), name_max=NAME_MAX),
            field="name",
        )
    if body.get("trigger") not in RuleTrigger.values:
        raise InvalidInput(_("trigger must be created or customer_writes."), field="trigger")
    conditions_parse(body.get("conditions", {}))
    actions = actions_parse(body.get("actions", {}))
    _check_targets(team_id, actions)
    return {
        "name": name,
        "trigger": body["trigger"],
        "conditions": dict(body.get("conditions", {})),
        "actions": dict(body["actions"]),
        "position": int(body.get("position", 0)),
        "enabled": bool(body.get("enabled", True)),
    }


def _audit(user: AbstractBaseUser, rule: AutomationRule, change: str) -> None:
    audit(
        AuditAction.AUTOMATION_RULE_CHANGED,
        actor=agent_of(user),
        object_type="automation_rule",
        object_id=rule.pk,
        team_id=rule.team_id,
        details={"change": change, "name": rule.name},
    )


@transaction.atomic(durable=True)
def automation_rule_create(
    *, user: AbstractBaseUser, team_id: int, body: Mapping[str, Any]
) -> AutomationRule:
    _team_checked(user, team_id)
    fields = _fields(team_id, body)
    if AutomationRule.objects.filter(team_id=team_id).count() >= RULES_PER_TEAM_MAX:
        raise InvalidInput(
            Text(
                _("A team may have at most %(rules_per_team_max)s rules."),
                rules_per_team_max=RULES_PER_TEAM_MAX,
            ),
            field="name",
        )
    rule = AutomationRule.objects.create(team_id=team_id, **fields)
    _audit(user, rule, "created")
    return rule


@transaction.atomic(durable=True)
def automation_rule_update(
    *, user: AbstractBaseUser, rule_id: int, body: Mapping[str, Any]
) -> AutomationRule:
    rule = automation_rule_get(user=user, rule_id=rule_id)
    for name, value in _fields(rule.team_id, body).items():
        setattr(rule, name, value)
    rule.save()
    _audit(user, rule, "changed")
    return rule


@transaction.atomic(durable=True)
def automation_rule_delete(*, user: AbstractBaseUser, rule_id: int) -> None:
    rule = automation_rule_get(user=user, rule_id=rule_id)
    _audit(user, rule, "deleted")
    rule.delete()
