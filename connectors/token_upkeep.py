"""The maintenance pass's share of token upkeep: which renewals and inspections to queue.

``connectors.jobs.dispatch`` calls this; the jobs themselves are ``connectors.token_jobs``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from rq import Retry

from connectors.jobs import POLL_QUEUE, _enqueue_once
from inbox.selectors.channel_accounts import (
    channel_account_list_inspection_due,
    channel_account_list_renewal_due,
)
from inbox.services.channels.renewal import RENEW_AHEAD

INSPECT_EVERY = timedelta(days=1)  # Facebook tokens' expiry and data access, re-read daily
TOKEN_RETRY = Retry(max=3, interval=[0, 30, 60])


def queue_token_upkeep(now: datetime) -> dict[str, int]:
    """X tokens ending within RENEW_AHEAD are renewed; Facebook tokens re-inspected daily."""
    renewals = sum(
        _enqueue_once(POLL_QUEUE, "connectors.token_jobs.renew_token", account_id,
                      f"renew-{account_id}", TOKEN_RETRY)
        for account_id in channel_account_list_renewal_due(now=now, ahead=RENEW_AHEAD)
    )  # fmt: skip
    inspections = sum(
        _enqueue_once(POLL_QUEUE, "connectors.token_jobs.inspect_token", account_id,
                      f"inspect-{account_id}", TOKEN_RETRY)
        for account_id in channel_account_list_inspection_due(now=now, every=INSPECT_EVERY)
    )  # fmt: skip
    return {"renewals": renewals, "inspections": inspections}
