"""How each item first reached Svar, and the gaps of a webhook subscription (issue #20).

Both paths store through the same ingest (:func:`messages_ingest_locked`). A webhook's ingest
marks the rows it created ``webhook``; the rest keep the column's default, ``poll``. An
inbound item a poll stores first while the account's subscription is healthy, and old enough
that its webhook should have come (``SVAR_WEBHOOK_GAP_GRACE_SECONDS``), is a gap: the
subscription missed it. Gaps are counted on the account (Prometheus, the account's health).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from connectors.base import InboundMessage
from inbox.models import Arrival, ChannelAccount, Message
from inbox.selectors.messages import message_list_known_external_ids
from inbox.services.ingest import IngestResult, messages_ingest_locked

logger = logging.getLogger(__name__)


def webhook_healthy(account: ChannelAccount, now: datetime) -> bool:
    """Whether the account's subscription delivered recently enough to be relied on."""
    last = account.webhook_last_delivery_at
    return last is not None and now - last <= timedelta(
        seconds=settings.SVAR_WEBHOOK_HEALTHY_SECONDS
    )


def ingest_arriving(
    account: ChannelAccount, messages: Sequence[InboundMessage], arrival: Arrival
) -> IngestResult:
    """:func:`messages_ingest_locked`, recording how the new items arrived. The caller holds
    the account's row lock, so "new" here is exactly what the ingest creates."""
    known = message_list_known_external_ids(
        account_id=account.pk, external_ids=[m.external_id for m in messages]
    )
    result = messages_ingest_locked(account, messages)
    fresh = list({m.external_id: m for m in messages if m.external_id not in known}.values())
    if fresh and arrival == Arrival.WEBHOOK:
        Message.objects.filter(
            account_id=account.pk, external_id__in=[m.external_id for m in fresh]
        ).update(arrival=Arrival.WEBHOOK)
    elif fresh:
        _count_gaps(account, fresh)
    return result


def _count_gaps(account: ChannelAccount, fresh: Sequence[InboundMessage]) -> None:
    now = timezone.now()
    if not webhook_healthy(account, now):
        return
    due = now - timedelta(seconds=settings.SVAR_WEBHOOK_GAP_GRACE_SECONDS)
    gaps = [m for m in fresh if not m.from_account and m.sent_at <= due]
    if not gaps:
        return
    account.webhook_gaps += len(gaps)
    account.webhook_last_gap_at = now
    account.save(update_fields=["webhook_gaps", "webhook_last_gap_at"])
    logger.warning(
        "account %s: the poll found %d item(s) its healthy webhook subscription did not deliver "
        "(%d gap(s) so far): %s",
        account.pk, len(gaps), account.webhook_gaps, ", ".join(m.external_id for m in gaps[:10]),
    )  # fmt: skip


def webhook_health(account: ChannelAccount) -> dict[str, object]:
    """The account's webhook subscription as its health shows it (the accounts API)."""
    return {
        "webhook_healthy": webhook_healthy(account, timezone.now()),
        "webhook_last_delivery_at": _iso(account.webhook_last_delivery_at),
        "webhook_gaps": account.webhook_gaps,
        "webhook_last_gap_at": _iso(account.webhook_last_gap_at),
        "webhook_failures": account.webhook_failures,
        "webhook_last_failure_at": _iso(account.webhook_last_failure_at),
        "webhook_last_failure": account.webhook_last_failure_shown,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
