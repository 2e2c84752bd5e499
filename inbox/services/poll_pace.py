"""How long an account waits for its next poll (issue #20).

- A Facebook Page whose webhook subscription is healthy is polled at the safety pace
  (``SVAR_WEBHOOK_SAFETY_POLL_SECONDS``): the polls are the proof nothing was missed, not
  the way messages arrive.
- X has no affordable webhooks: its pace adapts. A burst of inbound items, or an open
  conversation with a recent message, brings the next poll down to ``SVAR_X_POLL_MIN_SECONDS``;
  a single new item halves the pace; a quiet poll stretches it by half, up to
  ``SVAR_X_POLL_MAX_SECONDS``. Never faster than the budget allows: the calls the tightest
  endpoint has left are spread over the time until its window resets.
- Anything else waits the account's own interval.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from connectors.base import FetchResult, Platform
from inbox.models import ChannelAccount
from inbox.selectors.webhooks import conversation_active_exists
from inbox.services.arrivals import webhook_healthy

BURST = 2  # inbound items in one poll that count as a burst


def next_poll_interval(account: ChannelAccount, result: FetchResult, now: datetime) -> float:
    """Seconds until the account's next poll; sets ``account.paced_interval_seconds``."""
    base = float(account.poll_interval_seconds)
    if account.platform == Platform.FACEBOOK and webhook_healthy(account, now):
        interval = max(base, float(settings.SVAR_WEBHOOK_SAFETY_POLL_SECONDS))
    elif account.platform == Platform.X:
        interval = max(_x_pace(account, result, now), budget_floor(result, now))
    else:
        interval = base
    account.paced_interval_seconds = interval
    return interval


def _x_pace(account: ChannelAccount, result: FetchResult, now: datetime) -> float:
    fastest = float(settings.SVAR_X_POLL_MIN_SECONDS)
    slowest = max(float(settings.SVAR_X_POLL_MAX_SECONDS), fastest)
    previous = account.paced_interval_seconds or float(account.poll_interval_seconds)
    inbound = sum(1 for m in result.messages if not m.from_account)
    active_since = now - timedelta(seconds=settings.SVAR_X_ACTIVE_CONVERSATION_SECONDS)
    if inbound >= BURST or conversation_active_exists(account_id=account.pk, since=active_since):
        return fastest
    if inbound:
        return min(max(fastest, previous / 2), slowest)
    return min(max(fastest, previous * 1.5), slowest)


def budget_floor(result: FetchResult, now: datetime) -> float:
    """The shortest interval that leaves a call for every poll until the window resets."""
    remaining, reset_at = result.rate_limit_remaining, result.rate_limit_reset_at
    if remaining is None or reset_at is None or reset_at <= now:
        return 0.0
    return (reset_at - now).total_seconds() / max(remaining, 1)
