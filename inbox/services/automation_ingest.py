"""Automation rules run in ingest, in bulk (issue #17): the batch's teams' rules are read once,
with the teams and agents their actions name, then matched in memory, and every change is
written in one statement per kind (conversations from arrays; new tags and their links).

A rule that fails (a deleted team or agent, an agent no longer in the team, a stored rule that
no longer parses) is logged and skipped; the others still apply and ingest goes on. The
writes run in a savepoint: should one fail after all (a team deleted meanwhile), the batch is
stored without the rules' changes, and that is logged too.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone

from inbox.automation.language import languages_of
from inbox.automation.rules import (
    Actions,
    Conditions,
    Facts,
    actions_parse,
    language_holds,
    other_conditions_hold,
)
from inbox.automation.rules import conditions_parse as _conditions
from inbox.db.bulk import update_columns
from inbox.db.tag_links import tag_links_add
from inbox.models import (
    Agent,
    AutomationRule,
    Conversation,
    ConversationStatus,
    Direction,
    RuleTrigger,
    Team,
)
from inbox.services.snooze import snooze_wake_schedule

logger = logging.getLogger("inbox.automation")


class RuleFailed(Exception):
    """What a rule's action names is gone or not allowed: the rule is skipped."""


@dataclass(frozen=True, slots=True)
class LoadedRule:
    pk: int
    team_id: int
    on_create_only: bool
    conditions: Conditions
    actions: Actions


@dataclass(slots=True)
class Plan:
    """What the rules decided for one conversation."""

    team_id: int
    assignee_id: int | None
    priority: str
    snoozed_until: datetime | None = None
    tags: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Named:
    """The teams and agents the loaded rules' actions name, as they are now."""

    teams: frozenset[int]
    agent_teams: Mapping[int, frozenset[int]]  # active agents only
    agents: Mapping[int, Agent]


def automation_apply_ingested(
    conversations: Collection[Conversation],
    by_conversation: Mapping[int, Sequence[Any]],
    created: Collection[int],
) -> set[int]:
    """Run the rules of the conversations' teams on those the customer wrote in (the caller
    holds their locks, before the events are announced). Returns the ids of the conversations
    the rules tagged (the events read their tags, also of conversations created now)."""
    texts = {
        c.pk: " ".join(m.body for m in inbound)
        for c in conversations
        if (
            inbound := [
                m for m in by_conversation.get(c.pk, ()) if m.direction == Direction.INBOUND
            ]
        )
    }
    if not texts:
        return set()
    touched = [c for c in conversations if c.pk in texts]
    rules = _load_rules({c.team_id for c in touched})
    if not rules:
        return set()
    named = _load_named(rules)
    holding = {
        c.pk: _holding(c, texts[c.pk], rules.get(c.team_id, ()), c.pk in created) for c in touched
    }
    languages = _detect_languages(
        {pk: texts[pk] for pk, held in holding.items() if any(r.conditions.languages for r in held)}
    )
    now = timezone.now()
    plans = {}
    for conversation in touched:
        held = holding[conversation.pk]
        plan = _plan(conversation, held, languages.get(conversation.pk), named, now)
        if plan is not None:
            plans[conversation.pk] = plan
    return _write(touched, plans, named) if plans else set()


def _load_rules(team_ids: set[int]) -> dict[int, list[LoadedRule]]:
    by_team: dict[int, list[LoadedRule]] = defaultdict(list)
    stored = AutomationRule.objects.filter(team_id__in=team_ids, enabled=True).order_by(
        "position", "pk"
    )
    for rule in stored.values_list("pk", "team_id", "trigger", "conditions", "actions"):
        try:
            by_team[rule[1]].append(_parsed(*rule[:3], _frozen(rule[3]), _frozen(rule[4])))
        except Exception:
            logger.exception("automation rule %s no longer parses; skipped", rule[0])
    return by_team


def _frozen(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


@lru_cache(maxsize=2048)
def _parsed(pk: int, team_id: int, trigger: str, conditions: str, actions: str) -> LoadedRule:
    """A stored rule parsed once per process and content (its words compiled to a pattern)."""
    return LoadedRule(
        pk=pk,
        team_id=team_id,
        on_create_only=trigger == RuleTrigger.CREATED,
        conditions=_conditions(json.loads(conditions)),
        actions=actions_parse(json.loads(actions)),
    )


def _load_named(rules: Mapping[int, list[LoadedRule]]) -> Named:
    all_rules = [r for team_rules in rules.values() for r in team_rules]
    team_ids = {r.actions.team_id for r in all_rules if r.actions.team_id is not None}
    agent_ids = {r.actions.agent_id for r in all_rules if r.actions.agent_id is not None}
    teams: frozenset[int] = frozenset()
    if team_ids:  # no query (nor building one: most of a batch's rules name neither)
        teams = frozenset(Team.objects.filter(pk__in=team_ids).values_list("pk", flat=True))
    agents = {}
    if agent_ids:
        agents = Agent.objects.filter(pk__in=agent_ids, user__is_active=True).in_bulk()
    memberships: dict[int, set[int]] = defaultdict(set)
    if agents:
        through = Agent.teams.through
        for agent_id, team_id in through.objects.filter(agent_id__in=agents).values_list(
            "agent_id", "team_id"
        ):
            memberships[agent_id].add(team_id)
    return Named(
        teams=teams,
        agent_teams={pk: frozenset(memberships[pk]) for pk in agents},
        agents=agents,
    )


def _holding(
    conversation: Conversation, text: str, rules: Sequence[LoadedRule], created: bool
) -> list[LoadedRule]:
    """The rules whose conditions hold for the conversation but for the language, which is
    detected afterwards, for all the batch's conversations that need it at once."""
    facts = Facts(
        account_id=conversation.account_id,
        platform=conversation.account.platform,
        kind=conversation.kind,
        contact_id=conversation.contact_id,
        text=text,
    )
    held = []
    for rule in rules:
        if rule.on_create_only and not created:
            continue
        try:
            if other_conditions_hold(rule.conditions, facts):
                held.append(rule)
        except Exception:
            logger.exception(
                "automation rule %s failed on conversation %s; skipped", rule.pk, conversation.pk
            )
    return held


def _detect_languages(texts: Mapping[int, str]) -> dict[int, str | None]:
    """The language of each conversation's text, for those a rule naming a language holds for
    but for it; none of the others'. Should detection fail, rules naming a language do not
    match, and ingest goes on."""
    if not texts:
        return {}
    try:
        return dict(zip(texts, languages_of(list(texts.values())), strict=True))
    except Exception:
        logger.exception("language detection failed; rules naming a language skipped")
        return {}


def _plan(
    conversation: Conversation,
    held: Sequence[LoadedRule],
    language: str | None,
    named: Named,
    now: datetime,
) -> Plan | None:
    plan = Plan(conversation.team_id, conversation.assignee_id, conversation.priority)
    matched = False
    for rule in held:
        if not language_holds(rule.conditions, language):
            continue
        try:
            _act(plan, rule, named, now)
            matched = True
        except Exception:
            logger.exception(
                "automation rule %s failed on conversation %s; skipped", rule.pk, conversation.pk
            )
    return plan if matched else None


def _act(plan: Plan, rule: LoadedRule, named: Named, now: datetime) -> None:
    """Apply one rule's actions to the plan, all or none of them."""
    a = rule.actions
    team_id = plan.team_id
    if a.team_id is not None:
        if a.team_id not in named.teams:
            raise RuleFailed(f"team {a.team_id} does not exist")
        team_id = a.team_id
    assignee_id = plan.assignee_id if team_id == plan.team_id else None
    if a.agent_id is not None:
        if team_id not in named.agent_teams.get(a.agent_id, ()):
            raise RuleFailed(f"agent {a.agent_id} is not an active member of team {team_id}")
        assignee_id = a.agent_id
    plan.team_id, plan.assignee_id = team_id, assignee_id
    plan.tags.update(a.tags)
    plan.priority = a.priority or plan.priority
    if a.snooze_minutes is not None:
        plan.snoozed_until = now + timedelta(minutes=a.snooze_minutes)


def _moves(c: Conversation, p: Plan) -> bool:
    """Whether the plan changes a column of the conversation (not only its tags)."""
    return (c.team_id, c.assignee_id, c.priority, p.snoozed_until) != (
        p.team_id, p.assignee_id, p.priority, None
    )  # fmt: skip


def _write(touched: list[Conversation], plans: Mapping[int, Plan], named: Named) -> set[int]:
    changed = [c for c in touched if c.pk in plans]
    pairs = [(c, plans[c.pk]) for c in changed if _moves(c, plans[c.pk])]
    try:
        with transaction.atomic():  # a savepoint: a failure here leaves the batch stored
            update_columns(
                Conversation,
                [c.pk for c, _ in pairs],
                {
                    "team": [p.team_id for _, p in pairs],
                    "assignee": [p.assignee_id for _, p in pairs],
                    "priority": [p.priority for _, p in pairs],
                    "status": [_status(c, p) for c, p in pairs],
                    "snoozed_until": [p.snoozed_until or c.snoozed_until for c, p in pairs],
                },
            )
            _tag(plans)
    except DatabaseError:
        logger.exception("automation rules' changes could not be written; batch kept without")
        return set()
    for c in changed:
        plan = plans[c.pk]
        c.status = _status(c, plan)
        c.team_id, c.priority = plan.team_id, plan.priority
        c.snoozed_until = plan.snoozed_until or c.snoozed_until
        if plan.assignee_id != c.assignee_id:
            c.assignee = named.agents.get(plan.assignee_id) if plan.assignee_id else None
        if plan.snoozed_until is not None:
            until = plan.snoozed_until
            transaction.on_commit(lambda until=until: snooze_wake_schedule(until))
    return {pk for pk, plan in plans.items() if plan.tags}


def _status(conversation: Conversation, plan: Plan) -> str:
    return ConversationStatus.SNOOZED if plan.snoozed_until else conversation.status


def _tag(plans: Mapping[int, Plan]) -> None:
    tag_links_add([(pk, name) for pk, plan in sorted(plans.items()) for name in sorted(plan.tags)])
