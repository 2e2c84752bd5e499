"""Platform webhook deliveries: kept once when they arrive, ingested by a job (issue #20).

A delivery is stored by the SHA-256 of its raw body, so Meta's retries and duplicates of one
delivery make one row; its items go through the same ingest as the polls
(:func:`inbox.services.arrivals.ingest_arriving`), marked as arrived by webhook.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from connectors.base import InboundMessage
from inbox.models import Arrival, WebhookDelivery
from inbox.services.arrivals import ingest_arriving
from inbox.services.ingest import IngestResult
from inbox.services.locks import lock_channel_account
from inbox.stored_text import Text, stored


@dataclass(frozen=True, slots=True)
class StoredDelivery:
    pk: int
    new: bool  # False: the same body was stored before (a retry or a duplicate)
    ingested: bool


def webhook_delivery_store(*, platform: str, body: bytes) -> StoredDelivery:
    """Keep a verified delivery's raw body; one row per distinct body."""
    digest = hashlib.sha256(body).hexdigest()
    with transaction.atomic(), connection.cursor() as cursor:
        # No wait for the WAL flush: a crash of PostgreSQL may lose the last fraction of a
        # second of acknowledged deliveries, which Meta will not resend, but the next poll
        # stores their items (and counts them as gaps). A flood is answered several times
        # faster for it.
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(
            """
            INSERT INTO inbox_webhookdelivery (platform, digest, body, received_at, outcome)
            VALUES (%s, %s, %s, %s, '')
            ON CONFLICT (digest) DO NOTHING
            RETURNING id
            """,
            [platform, digest, body, timezone.now()],
        )
        row = cursor.fetchone()
    if row is not None:
        return StoredDelivery(pk=row[0], new=True, ingested=False)
    pk, ingested_at = WebhookDelivery.objects.values_list("pk", "ingested_at").get(digest=digest)
    return StoredDelivery(pk=pk, new=False, ingested=ingested_at is not None)


@transaction.atomic(durable=True)
def webhook_items_ingest(*, account_id: int, messages: Sequence[InboundMessage]) -> IngestResult:
    """Store one account's items of a delivery; the delivery proves the subscription alive."""
    account = lock_channel_account(account_id)
    account.webhook_last_delivery_at = timezone.now()
    account.save(update_fields=["webhook_last_delivery_at"])
    return ingest_arriving(account, messages, Arrival.WEBHOOK)


def webhook_deliveries_done(*, delivery_ids: list[int], outcome: str) -> None:
    WebhookDelivery.objects.filter(pk__in=delivery_ids).update(
        ingested_at=timezone.now(), outcome=outcome
    )


@dataclass(frozen=True, slots=True)
class DeliveryRetry:
    attempts: int
    next_attempt_at: datetime | None  # None: failed for good


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off after the ``attempts``-th failed attempt: BASE, 2×BASE, … ≤ MAX."""
    base = settings.SVAR_WEBHOOK_RETRY_BASE_SECONDS
    return timedelta(
        seconds=min(settings.SVAR_WEBHOOK_RETRY_MAX_SECONDS, base * 2 ** (attempts - 1))
    )


@transaction.atomic(durable=True)
def webhook_delivery_retry_later(
    *,
    delivery_id: int,
    account_id: int | None,
    detail: str,
    reason: Text,
    not_before: datetime | None = None,
) -> DeliveryRetry:
    """A lookup the delivery needs failed for a passing reason: take it again after the
    back-off (never before ``not_before``: a rate limit's reset, a Retry-After), or, after
    ``SVAR_WEBHOOK_RETRY_ATTEMPTS`` attempts, fail it for good and show ``reason`` on the
    account's health."""
    delivery = WebhookDelivery.objects.select_for_update(no_key=True).get(pk=delivery_id)
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_error = detail
    if delivery.attempts < settings.SVAR_WEBHOOK_RETRY_ATTEMPTS:
        delivery.next_attempt_at = max(now + retry_delay(delivery.attempts), not_before or now)
        delivery.save(update_fields=["attempts", "last_error", "next_attempt_at"])
        return DeliveryRetry(delivery.attempts, delivery.next_attempt_at)
    delivery.ingested_at = now
    delivery.outcome = f"failed after {delivery.attempts} attempts: {detail}"
    delivery.save(update_fields=["attempts", "last_error", "ingested_at", "outcome"])
    if account_id is not None:
        account = lock_channel_account(account_id)
        account.webhook_failures += 1
        account.webhook_last_failure_at = now
        account.webhook_last_failure = stored(reason)
        account.save(
            update_fields=["webhook_failures", "webhook_last_failure_at", "webhook_last_failure"]
        )
    return DeliveryRetry(delivery.attempts, None)


PRUNE_BATCH = 5_000


def webhook_deliveries_prune() -> int:
    """Delete ingested deliveries older than ``SVAR_WEBHOOK_KEEP_HOURS``, a bounded batch at
    a time (no long transaction beside the endpoint's inserts); returns how many went."""
    cutoff = timezone.now() - timedelta(hours=settings.SVAR_WEBHOOK_KEEP_HOURS)
    pruned = 0
    while True:
        batch = list(
            WebhookDelivery.objects.filter(ingested_at__lt=cutoff).values_list("pk", flat=True)[
                :PRUNE_BATCH
            ]
        )
        if not batch:
            return pruned
        pruned += WebhookDelivery.objects.filter(pk__in=batch).delete()[0]
