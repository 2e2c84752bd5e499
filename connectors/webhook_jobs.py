"""RQ jobs of platform webhooks (issue #20): glue between the pure webhook parsers in
``connectors.facebook.webhook`` and ``inbox.services.webhooks``, like ``connectors.jobs`` for
polls. The endpoint (web/webhooks/) stores a verified delivery and asks for a drain.

One drain job ingests every stored delivery not yet ingested, a batch at a time and one ingest
per account per batch, so a flood of deliveries costs a few jobs, not one each. A drain is
queued only when none is waiting: a Redis flag, set when one is queued and cleared when it
starts (a delivery stored after that start queues the next). Drains take turns under an
advisory lock. Ingesting a delivery twice is harmless (unique platform ids).
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import django_rq
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rq import Retry

from connectors.base import InboundMessage
from connectors.errors import (
    AuthExpired,
    ConnectorError,
    PlatformUnavailable,
    RateLimited,
    TargetGone,
)
from connectors.facebook.client import share_pacing_through
from connectors.facebook.connector import FacebookConnector
from connectors.facebook.parse import MalformedItem
from connectors.facebook.webhook import (
    MessengerEvent,
    PageEntries,
    delivery_entries,
    messenger_item,
    messenger_thread,
)
from inbox.credentials import account_token
from inbox.selectors.channel_accounts import channel_account_get
from inbox.selectors.webhooks import (
    account_ids_by_page,
    messenger_thread_known,
    webhook_delivery_bodies,
    webhook_delivery_due_exists,
)
from inbox.services import webhooks as webhook_services
from inbox.stored_text import Text

logger = logging.getLogger(__name__)

WEBHOOK_QUEUE = "default"
WEBHOOK_RETRY = Retry(max=3, interval=[0, 10, 60])
DRAIN_QUEUED = "svar:webhooks:drain-queued"
DRAIN_FLAG_SECONDS = 120  # a lost drain job delays the next by at most this (polls go on)
BATCH = 500
_DRAIN_LOCK = 4 << 48  # advisory-lock namespace (connectors.jobs uses 1–3)

Threads = dict[tuple[int, str], tuple[str, str]]
# Account id → the passing failure a lookup met in this drain: the account's other lookups in
# the drain wait for their retry instead of calling Graph again (before a rate limit's reset).
Limited = dict[int, ConnectorError]
# What a lookup may meet that passes: the delivery is taken again later (retry_delay).
PASSING = (PlatformUnavailable, RateLimited, AuthExpired)


class LookupFailed(Exception):
    """A lookup one of the delivery's items needs (an Instagram mention, a Messenger thread)
    failed for a passing reason: the whole delivery is taken again later (ingest is
    idempotent, so its other items cost nothing the second time)."""

    def __init__(self, account_id: int, error: ConnectorError) -> None:
        super().__init__(str(error))
        self.account_id = account_id
        self.error = error

    @property
    def not_before(self) -> datetime | None:
        if isinstance(self.error, RateLimited):
            return self.error.reset_at
        return getattr(self.error, "retry_at", None)

    @property
    def reason(self) -> Text:
        """Why the delivery was given up, as the account's health shows it (whole sentences:
        a stored message keeps its placeholders' values as they were written)."""
        if isinstance(self.error, RateLimited):
            return Text(
                _(
                    "An item of a webhook delivery (an Instagram mention, or a Messenger "
                    "thread) was not stored: the platform's rate limit kept refusing its "
                    "lookup. Details are in the log."
                )
            )
        if isinstance(self.error, AuthExpired):
            return Text(
                _(
                    "An item of a webhook delivery (an Instagram mention, or a Messenger "
                    "thread) was not stored: the platform kept refusing the account's "
                    "access token when it was looked up. Details are in the log."
                )
            )
        return Text(
            _(
                "An item of a webhook delivery (an Instagram mention, or a Messenger "
                "thread) was not stored: the platform did not answer its lookup (an "
                "outage or timeouts). Details are in the log."
            )
        )


def enqueue_webhook_drain() -> bool:
    """Queue a drain unless one is already waiting to start."""
    queue = django_rq.get_queue(WEBHOOK_QUEUE)
    if not queue.connection.set(DRAIN_QUEUED, "1", nx=True, ex=DRAIN_FLAG_SECONDS):
        return False
    queue.enqueue("connectors.webhook_jobs.drain_webhook_deliveries", retry=WEBHOOK_RETRY)
    return True


def drain_webhook_deliveries() -> str:
    django_rq.get_queue(WEBHOOK_QUEUE).connection.delete(DRAIN_QUEUED)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_DRAIN_LOCK])  # drains take turns
    try:
        drained = 0
        while batch := webhook_delivery_bodies(limit=BATCH):
            limited: Limited = {}
            try:
                ingest_webhook_deliveries(batch, limited=limited)
            except Exception:  # noqa: BLE001 (one bad delivery must not hold up the rest)
                _one_by_one(batch, limited)
            drained += len(batch)
        return f"drained {drained} deliveries"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_DRAIN_LOCK])


def _one_by_one(batch: dict[int, bytes], limited: Limited) -> None:
    """Ingest each delivery alone. One whose lookup failed for a passing reason is taken again
    later; one that fails otherwise is set aside as failed (its comments and messages reach the
    inbox by the next poll, counted as gaps)."""
    for pk, body in batch.items():
        try:
            ingest_webhook_deliveries({pk: body}, limited=limited)
        except LookupFailed as failure:
            _retry_later(pk, body, failure)
        except Exception as error:  # noqa: BLE001
            logger.exception("webhook delivery %s could not be ingested", pk)
            webhook_services.webhook_deliveries_done(delivery_ids=[pk], outcome=f"failed: {error}")


def _retry_later(pk: int, body: bytes, failure: LookupFailed) -> None:
    retry = webhook_services.webhook_delivery_retry_later(
        delivery_id=pk, account_id=failure.account_id, detail=str(failure.error),
        reason=failure.reason, not_before=failure.not_before,
    )  # fmt: skip
    if retry.next_attempt_at is not None:
        logger.warning(
            "webhook delivery %s: a lookup failed (%s), attempt %d; taken again at %s",
            pk, failure.error, retry.attempts, retry.next_attempt_at.isoformat(),
        )  # fmt: skip
        return
    # Failed for good: Meta will not send it again and no poll finds a mention. The payload
    # goes to the log so that nothing is lost without a trace.
    logger.error(
        "webhook delivery %s failed for good after %d attempts (%s); payload: %s",
        pk, retry.attempts, failure.error, body.decode("utf-8", "replace"),
    )  # fmt: skip


def drain_if_due() -> bool:
    """The worker's maintenance pass: queue a drain when a delivery waits for its retry."""
    return webhook_delivery_due_exists() and enqueue_webhook_drain()


def ingest_webhook_deliveries(bodies: dict[int, bytes], *, limited: Limited | None = None) -> str:
    """Ingest stored deliveries (id → raw body): one ingest per account for all of them.
    ``LookupFailed`` when a lookup failed for a passing reason (nothing is stored then)."""
    limited = {} if limited is None else limited
    pages = [p for body in bodies.values() for p in delivery_entries(json.loads(body))]
    accounts = account_ids_by_page(page_ids={p.page_id for p in pages})
    by_account: dict[int, list[InboundMessage]] = defaultdict(list)
    threads: Threads = {}
    for entries in pages:
        account_id = accounts.get(entries.page_id)
        if account_id is None:
            logger.warning("webhook: no active account for Page %s", entries.page_id)
            continue
        for item in entries.rejected:
            logger.warning("webhook: skipped an unreadable item (%s); raw: %s",
                           item.reason, item.raw)  # fmt: skip
        by_account[account_id] += [*entries.comments,
                                   *_messenger_messages(account_id, entries, threads, limited),
                                   *_mentions(account_id, entries, limited)]  # fmt: skip
    created = duplicates = 0
    for account_id, messages in by_account.items():
        result = webhook_services.webhook_items_ingest(account_id=account_id, messages=messages)
        created, duplicates = created + result.created, duplicates + result.duplicates
    outcome = f"stored {created}, {duplicates} already known"
    webhook_services.webhook_deliveries_done(delivery_ids=list(bodies), outcome=outcome)
    return outcome


def _messenger_messages(
    account_id: int, entries: PageEntries, threads: Threads, limited: Limited
) -> list[InboundMessage]:
    """The Messenger events threaded as the polls thread them: a known customer's stored
    conversation, else the Page's conversation with them, asked of the Graph once."""
    messages = []
    for event in entries.messenger:
        key = (account_id, event.customer_id)
        if key not in threads:
            with _lookup(account_id, limited):
                threads[key] = _thread(account_id, entries.page_id, event)
        thread_id, name = threads[key]
        messages.append(messenger_item(event, thread_id, entries.page_id, name))
    return messages


def _thread(account_id: int, page_id: str, event: MessengerEvent) -> tuple[str, str]:
    known = messenger_thread_known(account_id=account_id, customer_id=event.customer_id)
    if known is not None:
        return known
    account = channel_account_get(account_id=account_id)
    share_pacing_through(settings.REDIS_URL)  # the Conversations API budget is the Page's
    connector = FacebookConnector(
        account.external_id, account_token(account), base_url=account.base_url or None
    )
    return messenger_thread(connector.client, page_id, event.customer_id)


@contextmanager
def _lookup(account_id: int, limited: Limited) -> Iterator[None]:
    """A lookup on the account's behalf, unless one already failed for a passing reason in this
    drain (Graph is not asked again in the same drain, nor before a rate limit's reset): a
    passing failure is ``LookupFailed``."""
    earlier = limited.get(account_id)
    if earlier is not None and not (
        isinstance(earlier, RateLimited) and earlier.reset_at <= datetime.now(UTC)
    ):
        raise LookupFailed(account_id, earlier)
    try:
        yield
    except PASSING as error:
        limited[account_id] = error
        raise LookupFailed(account_id, error) from error


def _mentions(account_id: int, entries: PageEntries, limited: Limited) -> list[InboundMessage]:
    """Instagram mentions, each looked up on the account. One the account cannot read (a
    private account's media, or deleted meanwhile) is logged with its ids and skipped: asking
    again would get the same answer, and the account itself is fine."""
    if not entries.mentions:
        return []
    from connectors.instagram.connector import InstagramConnector

    account = channel_account_get(account_id=account_id)
    share_pacing_through(settings.REDIS_URL)
    connector = InstagramConnector(
        account.external_id, account_token(account), base_url=account.base_url or None
    )
    found = []
    for ref in entries.mentions:
        try:
            with _lookup(account_id, limited):
                found.append(connector.mention(ref))
        except (TargetGone, MalformedItem) as error:
            logger.warning(
                "webhook: Instagram account %s was mentioned on media %s (comment %s), which it "
                "cannot read; skipped: %s", entries.page_id, ref.media_id, ref.comment_id, error,
            )  # fmt: skip
    return found
