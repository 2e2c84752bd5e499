"""The webhooks' figures in ``/metrics`` (web/ops/prometheus.py): per account, how long since
its last delivery and how many gaps the polls found; deliveries waiting for their ingest; and
the deliveries refused or ignored, by reason."""

from __future__ import annotations

import redis
from django.db import DatabaseError
from django.utils import timezone

from inbox.selectors.webhooks import webhook_account_list, webhook_delivery_pending_count
from web.ops.prometheus import Family
from web.webhooks import counters


def webhook_families() -> list[Family]:
    since = Family(
        "svar_account_seconds_since_webhook", "gauge",
        "Time since the account's last verified webhook delivery",
    )  # fmt: skip
    gaps = Family(
        "svar_account_webhook_gaps_total", "counter",
        "Items a poll found first while the account's webhook subscription was healthy",
    )  # fmt: skip
    pending = Family("svar_webhook_deliveries_pending", "gauge", "Deliveries not yet ingested")
    refused = Family(
        "svar_webhook_deliveries_refused_total", "counter",
        "Deliveries refused or not stored, by reason (duplicates are stored once)",
    )  # fmt: skip
    try:
        now = timezone.now()
        for pk, platform, name, last, gap_count in webhook_account_list():
            labels = {"account": pk, "platform": platform, "name": name}
            if last is not None:
                since.add((now - last).total_seconds(), **labels)
            gaps.add(gap_count, **labels)
        pending.add(webhook_delivery_pending_count())
    except DatabaseError:
        return []
    try:
        for reason, total in counters.totals().items():
            refused.add(total, reason=reason)
    except (redis.RedisError, OSError):
        return [since, gaps, pending]
    return [since, gaps, pending, refused]
