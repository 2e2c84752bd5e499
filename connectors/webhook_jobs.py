"""RQ jobs of platform webhooks (issue #20): glue between the pure webhook parsers in
``connectors.facebook.webhook`` and ``inbox.services.webhooks``, like ``connectors.jobs`` for
polls. The endpoint (web/webhooks/) stores a verified delivery and queues
:func:`ingest_webhook_delivery`; ingesting twice is harmless (unique platform ids)."""

from __future__ import annotations

import json
import logging

import django_rq
from django.conf import settings
from rq import Retry
from rq.job import Job, JobStatus

from connectors.base import InboundMessage
from connectors.facebook.client import share_pacing_through
from connectors.facebook.connector import FacebookConnector
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
    webhook_delivery_body,
)
from inbox.services import webhooks as webhook_services

logger = logging.getLogger(__name__)

WEBHOOK_QUEUE = "default"
WEBHOOK_RETRY = Retry(max=3, interval=[0, 10, 60])
_LIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def enqueue_webhook_delivery(delivery_id: int) -> bool:
    """Queue a stored delivery's ingest unless it is already waiting or running."""
    queue = django_rq.get_queue(WEBHOOK_QUEUE)
    job_id = f"webhook-{delivery_id}"
    existing = Job.fetch_many([job_id], connection=queue.connection)[0]
    if existing is not None and existing.get_status(refresh=False) in _LIVE:
        return False
    queue.enqueue(
        "connectors.webhook_jobs.ingest_webhook_delivery", delivery_id, job_id=job_id,
        retry=WEBHOOK_RETRY,
    )  # fmt: skip
    return True


def ingest_webhook_delivery(delivery_id: int) -> str:
    body = webhook_delivery_body(delivery_id=delivery_id)
    if body is None:
        return "nothing to do"
    pages = delivery_entries(json.loads(body))  # verified and parsed once by the endpoint
    accounts = account_ids_by_page(page_ids={p.page_id for p in pages})
    created = duplicates = 0
    for entries in pages:
        account_id = accounts.get(entries.page_id)
        if account_id is None:
            logger.warning("webhook delivery %s: no active account for Page %s",
                           delivery_id, entries.page_id)  # fmt: skip
            continue
        for item in entries.rejected:
            logger.warning("webhook delivery %s: skipped an unreadable item (%s); raw: %s",
                           delivery_id, item.reason, item.raw)  # fmt: skip
        messages = [*entries.comments, *_messenger_messages(account_id, entries)]
        result = webhook_services.webhook_items_ingest(account_id=account_id, messages=messages)
        created, duplicates = created + result.created, duplicates + result.duplicates
    outcome = f"stored {created}, {duplicates} already known"
    webhook_services.webhook_delivery_done(delivery_id=delivery_id, outcome=outcome)
    return outcome


def _messenger_messages(account_id: int, entries: PageEntries) -> list[InboundMessage]:
    """The Messenger events threaded as the polls thread them: a known customer's stored
    conversation, else the Page's conversation with them, asked of the Graph once."""
    threads: dict[str, tuple[str, str]] = {}
    messages = []
    for event in entries.messenger:
        thread = threads.get(event.customer_id) or _thread(account_id, entries.page_id, event)
        threads[event.customer_id] = thread
        messages.append(messenger_item(event, thread[0], entries.page_id, thread[1]))
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
