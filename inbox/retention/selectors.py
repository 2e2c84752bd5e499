"""What the retention settings show: the team's policy, each account's, and the dry run."""

from __future__ import annotations

from typing import Any

from inbox.models import ChannelAccount, RetentionPolicy
from inbox.retention.dry_run import retention_dry_run


def _policy_out(policy: RetentionPolicy | None) -> dict[str, Any] | None:
    return None if policy is None else {"days": policy.days, "action": policy.action}


def retention_settings(team_id: int) -> dict[str, Any]:
    team_policy = RetentionPolicy.objects.filter(team_id=team_id).first()
    own = {p.account_id: p for p in RetentionPolicy.objects.filter(account__team_id=team_id)}
    accounts = [
        {
            "id": account.pk,
            "name": account.display_name,
            "platform": account.platform,
            "own": _policy_out(own.get(account.pk)),
            "in_force": _policy_out(own.get(account.pk, team_policy)),
        }
        for account in ChannelAccount.objects.filter(team_id=team_id).order_by("display_name")
    ]
    return {
        "team": _policy_out(team_policy),
        "accounts": accounts,
        "dry_run": retention_dry_run(team_id),
    }
