"""Reads of a team's guidelines and rules, and the verdict on a reply."""

from __future__ import annotations

from django.utils import translation

from connectors.base import Platform
from inbox.guidelines.evaluate import evaluate
from inbox.guidelines.rules import RuleSpec, default_rules
from inbox.guidelines.verdict import Verdict
from inbox.models import Agent, Conversation, Guideline, GuidelineRule
from inbox.selectors.tags import tag_name_list_of


def guideline_get(*, team_id: int) -> Guideline | None:
    return Guideline.objects.filter(team_id=team_id).first()


def guideline_rule_list(*, team_id: int) -> list[GuidelineRule]:
    return list(GuidelineRule.objects.filter(team_id=team_id).order_by("id"))


def rule_spec(rule: GuidelineRule) -> RuleSpec:
    return RuleSpec(
        id=rule.pk,
        name=rule.name,
        kind=rule.kind,
        action=rule.action,
        words=tuple(rule.words),
        pattern=rule.pattern,
        allowed_domains=tuple(rule.allowed_domains),
        tag=rule.tag,
        data_kinds=tuple(rule.data_kinds),
    )


def guideline_rules_in_force(*, team_id: int) -> list[RuleSpec]:
    """The team's enabled rules; the default rules while the team has not written its own."""
    if not Guideline.objects.filter(team_id=team_id).exists():
        return default_rules()
    rules = GuidelineRule.objects.filter(team_id=team_id, enabled=True).order_by("id")
    return [rule_spec(rule) for rule in rules]


def reply_verdict(*, agent: Agent, conversation: Conversation, body: str) -> Verdict:
    """What the team's rules say about ``body`` as a reply by ``agent`` in ``conversation``,
    worded in the agent's language. The reply service enforces exactly this verdict and the
    composer's preview shows it."""
    public = conversation.kind == "public"
    with translation.override(agent.language or translation.get_language()):
        return evaluate(
            guideline_rules_in_force(team_id=conversation.team_id),
            text=body,
            public=public,
            tags=tag_name_list_of(conversation=conversation),
            author_needs_approval=agent.needs_approval,
            email=conversation.account.platform == Platform.EMAIL,
        )
