"""Managers' edits of a team's guidelines and rules, and of who needs approval; all audited.

The first edit takes the team's rules over from the defaults: the default rules are stored as
the team's own, so a manager edits what the agents were already checked against."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inbox.audit import audit
from inbox.exceptions import InvalidInput, NotFound
from inbox.guidelines.rules import default_rules
from inbox.guidelines.validation import clean_rule
from inbox.models import Agent, AuditAction, Guideline, GuidelineRule
from inbox.permissions.access import agent_of
from inbox.permissions.guidelines import access_rule, access_team, check_may_edit_guidelines
from inbox.stored_text import Text

GUIDELINE_TEXT_MAX = 50_000
_CLAIM_SQL = (
    f"INSERT INTO {Guideline._meta.db_table} (team_id, text, updated_at)"  # noqa: S608
    " VALUES (%s, '', now()) ON CONFLICT (team_id) DO NOTHING RETURNING id"
)


def _guideline_locked(team_id: int) -> Guideline:
    """The team's guideline row, locked; created with the default rules on first use."""
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, [team_id])
        created = cursor.fetchone() is not None
    if created:
        now = timezone.now()
        GuidelineRule.objects.bulk_create(
            GuidelineRule(
                team_id=team_id,
                name=spec.name,
                kind=spec.kind,
                action=spec.action,
                data_kinds=list(spec.data_kinds),
                created_at=now,
            )
            for spec in default_rules()
        )
    return Guideline.objects.select_for_update(no_key=True).get(team_id=team_id)


def _manager(user: AbstractBaseUser, team_id: int) -> tuple[Agent, Guideline]:
    check_may_edit_guidelines(user)
    actor = agent_of(user)
    access_team(user, team_id)
    return actor, _guideline_locked(team_id)


@transaction.atomic(durable=True)
def guideline_text_set(*, user: AbstractBaseUser, team_id: int, text: str) -> Guideline:
    actor, guideline = _manager(user, team_id)
    if len(text) > GUIDELINE_TEXT_MAX:
        raise InvalidInput(
            _("The guidelines are too long."), field="text", limit=GUIDELINE_TEXT_MAX
        )
    previous = guideline.text
    guideline.text, guideline.updated_by, guideline.updated_at = text, actor, timezone.now()
    guideline.save()
    audit(
        AuditAction.GUIDELINE_CHANGED,
        actor=actor,
        object_type="guideline",
        object_id=team_id,
        team_id=team_id,
        details={"before": previous, "after": text},
    )
    return guideline


def _rule_values(rule: GuidelineRule) -> dict[str, Any]:
    fields = ("name", "kind", "action", "enabled", "words", "pattern")
    more = ("allowed_domains", "tag", "data_kinds")
    return {name: getattr(rule, name) for name in (*fields, *more)}


def _audit_rule(action: AuditAction, actor: Agent, rule: GuidelineRule, details: dict) -> None:
    audit(
        action,
        actor=actor,
        object_type="guideline_rule",
        object_id=rule.pk,
        team_id=rule.team_id,
        details=details,
    )


@transaction.atomic(durable=True)
def guideline_rule_create(
    *, user: AbstractBaseUser, team_id: int, data: dict[str, Any]
) -> GuidelineRule:
    actor, _guideline = _manager(user, team_id)
    rule = GuidelineRule.objects.create(
        team_id=team_id, created_at=timezone.now(), **clean_rule(data)
    )
    _audit_rule(AuditAction.RULE_CREATED, actor, rule, {"after": _rule_values(rule)})
    return rule


def _owned_rule(user: AbstractBaseUser, rule_id: int) -> tuple[Agent, GuidelineRule]:
    rule = access_rule(user, rule_id)
    actor, _guideline = _manager(user, rule.team_id)
    return actor, GuidelineRule.objects.get(pk=rule.pk)  # read again under the guideline's lock


@transaction.atomic(durable=True)
def guideline_rule_update(
    *, user: AbstractBaseUser, rule_id: int, data: dict[str, Any]
) -> GuidelineRule:
    actor, rule = _owned_rule(user, rule_id)
    before = _rule_values(rule)
    for name, value in clean_rule({**before, **data}).items():
        setattr(rule, name, value)
    rule.save()
    _audit_rule(
        AuditAction.RULE_CHANGED, actor, rule, {"before": before, "after": _rule_values(rule)}
    )
    return rule


@transaction.atomic(durable=True)
def guideline_rule_delete(*, user: AbstractBaseUser, rule_id: int) -> None:
    actor, rule = _owned_rule(user, rule_id)
    before = _rule_values(rule)
    _audit_rule(AuditAction.RULE_DELETED, actor, rule, {"before": before})
    rule.delete()


@transaction.atomic(durable=True)
def agent_approval_set(
    *, user: AbstractBaseUser, team_id: int, agent_id: int, needs_approval: bool, may_approve: bool
) -> Agent:
    """Mark a team member as new staff (their public replies wait for approval), or grant them
    the right to approve colleagues' replies."""
    check_may_edit_guidelines(user)
    actor = agent_of(user)
    access_team(user, team_id)
    agent = Agent.objects.select_for_update(no_key=True).filter(pk=agent_id, teams=team_id).first()
    if agent is None:
        raise NotFound(Text(_("Agent %(agent_id)s was not found."), agent_id=agent_id))
    before = {"needs_approval": agent.needs_approval, "may_approve": agent.may_approve}
    agent.needs_approval, agent.may_approve = needs_approval, may_approve
    agent.save(update_fields=["needs_approval", "may_approve"])
    audit(
        AuditAction.AGENT_APPROVAL_SET,
        actor=actor,
        object_type="agent",
        object_id=agent.pk,
        team_id=team_id,
        details={
            "before": before,
            "after": {"needs_approval": needs_approval, "may_approve": may_approve},
        },
    )
    return agent
