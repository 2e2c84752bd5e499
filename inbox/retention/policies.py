"""Reads of the retention policies: which policy applies to each account, and which
conversations are due (the dry run's counts: ``inbox.retention.dry_run``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from inbox.models import ChannelAccount, ConversationStatus, RetentionPolicy


@dataclass(frozen=True, slots=True)
class AccountRule:
    """The policy in force for one channel account: its own, else its team's."""

    account_id: int
    days: int
    action: str
    cutoff: datetime  # conversations resolved before this are due
    policy_id: int  # the RetentionPolicy in force (the account's own or the team's)


def rules_in_force(team_id: int, *, now: datetime | None = None) -> dict[int, AccountRule]:
    """Per account of the team, the policy in force (accounts without one are absent)."""
    now = now or timezone.now()
    policies = RetentionPolicy.objects.filter(Q(team_id=team_id) | Q(account__team_id=team_id))
    team_policy = next((p for p in policies if p.team_id == team_id), None)
    own = {p.account_id: p for p in policies if p.account_id is not None}
    rules = {}
    for account_id in ChannelAccount.objects.filter(team_id=team_id).values_list("pk", flat=True):
        policy = own.get(account_id, team_policy)
        if policy is not None:
            cutoff = now - timedelta(days=policy.days)
            rules[account_id] = AccountRule(
                account_id, policy.days, policy.action, cutoff, policy.pk
            )
    return rules


def due_filter(rules: dict[int, AccountRule]) -> Q:
    """Resolved, not held, not yet anonymised, resolved before its account's cutoff."""
    by_account = Q(pk__in=[])
    for rule in rules.values():
        by_account |= Q(account_id=rule.account_id, resolved_at__lt=rule.cutoff)
    base = Q(status=ConversationStatus.RESOLVED, legal_hold=False, anonymised_at__isnull=True)
    return base & by_account
