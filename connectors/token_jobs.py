"""Token upkeep jobs: X access tokens renewed before they end, Facebook tokens re-inspected.

``connectors.jobs.dispatch`` queues them (one job id per account, so each is queued once), and
a poll or a delivery renews first when its X token is about to end, so an expiring token never
produces a failed call. The renewal itself (row lock, rotation) is
``inbox.services.channels.renewal``.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from inbox.models import ChannelAccount, TokenKind
from inbox.services import accounts as account_services
from inbox.services.channels import facebook_token_inspect, x_token_renew

# A poll or delivery renews a token with less than this left: a call never outlives its token.
CALL_RENEW_AHEAD = timedelta(minutes=2)


def renew_token(account_id: int) -> str:
    return x_token_renew(account_id)


def inspect_token(account_id: int) -> str:
    return facebook_token_inspect(account_id)


def renew_before_call(account: ChannelAccount) -> str | None:
    """Renew the account's X token if it ends soon. None: go ahead (re-read the account, its
    token may be new); otherwise why the call must not happen now (the account's state already
    says so: paused for a reconnect, or backing off while X is unreachable)."""
    if account.token_kind != TokenKind.X_USER or account.token_expires_at is None:
        return None
    if account.token_expires_at > timezone.now() + CALL_RENEW_AHEAD:
        return None
    outcome = x_token_renew(account.pk, ahead=CALL_RENEW_AHEAD)
    if outcome == "reconnect needed":
        return "paused: reconnect needed"
    if outcome.startswith("unavailable"):
        account_services.account_poll_failed(
            account_id=account.pk, error=f"Renewing the access token failed: {outcome}"
        )
        return f"failed: {outcome}"
    return None
