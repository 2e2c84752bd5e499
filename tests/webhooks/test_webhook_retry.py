"""Retries of stored webhook deliveries whose lookup failed for a passing reason.

An Instagram mention arrives as ``{media_id, comment_id}`` only, and no poll ever finds it: if
the lookup of its caption or comment fails for a passing reason (Graph unavailable, a rate
limit, a token refused while it is being renewed), the delivery is taken again later with an
exponential back-off, never before Graph's own "come back at" (a rate limit's reset, a
Retry-After), and after ``SVAR_WEBHOOK_RETRY_ATTEMPTS`` attempts it fails for good: logged with
its payload and shown, with its reason, on the account's health. Everything goes over real
HTTP to the simulated Graph, whose fault switches make the lookups fail.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from connectors.simulator.faults import FaultKind
from connectors.webhook_jobs import drain_if_due, drain_webhook_deliveries
from inbox.models import Conversation, Message, WebhookDelivery
from tests.conftest import api_client_for
from tests.connectors import instagram_support
from tests.connectors.instagram_support import IG_ID, IG_USERNAME
from tests.webhooks import test_webhook_instagram as comments_by_webhook
from tests.webhooks.support import meta_settings, post  # noqa: F401 (a fixture)

instagram_server = instagram_support.instagram_server
instagram = instagram_support.instagram
account = comments_by_webhook.account
captured = comments_by_webhook.captured
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("meta_settings", "clean_queues"),
]
LOOKUP = f"/v21.0/{IG_ID}"  # GET /{ig-user-id}?fields=mentioned_media… (and nothing else here)
BASE = 0.3  # seconds: the first back-off, doubled at each attempt


@pytest.fixture(autouse=True)
def quick_retries(settings):
    settings.SVAR_WEBHOOK_RETRY_BASE_SECONDS = BASE
    settings.SVAR_WEBHOOK_RETRY_ATTEMPTS = 3


def _store(captured, count: int) -> None:
    """What Meta delivered, posted signed to Svar's route (stored, not yet drained)."""
    from django.test import Client

    deadline = time.monotonic() + 10
    while len(captured[1]) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    for body, signature in captured[1][-count:]:
        assert post(Client(), body, signature).status_code == 200


def _lookups(instagram) -> int:
    return sum(1 for r in instagram.app.requests if r == f"GET {LOOKUP}")


def _wait_until_due(delivery: WebhookDelivery) -> None:
    delivery.refresh_from_db()
    time.sleep(max(0.0, (delivery.next_attempt_at - timezone.now()).total_seconds()) + 0.05)


def test_a_mention_whose_lookup_fails_once_arrives_once_on_the_retry(instagram, account, captured):
    instagram.fault(FaultKind.SERVER_ERROR_HTML, LOOKUP, remaining=1)
    instagram.ig.mention(IG_ID, "lise.berg", f"Hvornår svarer @{IG_USERNAME}?")
    _store(captured, 1)

    drain_webhook_deliveries()

    delivery = WebhookDelivery.objects.get()
    assert not Message.objects.exists()
    assert (delivery.ingested_at, delivery.attempts) == (None, 1)
    assert "unreadable body" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()
    assert not drain_if_due()  # not before its time

    _wait_until_due(delivery)
    assert drain_if_due()  # the worker's maintenance pass queues a drain
    drain_webhook_deliveries()
    drain_webhook_deliveries()  # nothing left: a second drain stores nothing twice

    message = Message.objects.get()
    assert message.text == f"Hvornår svarer @{IG_USERNAME}?"
    delivery.refresh_from_db()
    assert delivery.ingested_at is not None
    assert delivery.outcome == "stored 1, 0 already known"
    assert _lookups(instagram) == 2
    account.refresh_from_db()
    assert account.webhook_failures == 0


def test_the_back_off_doubles_and_never_comes_before_a_retry_after(instagram, account, captured):
    instagram.fault(FaultKind.SERVER_ERROR_HTML, LOOKUP, remaining=1)
    instagram.fault(FaultKind.SERVER_ERROR_HTML, LOOKUP, remaining=1, retry_after_seconds=120)
    instagram.ig.mention(IG_ID, "lise.berg", f"Hej @{IG_USERNAME}")
    _store(captured, 1)

    before = timezone.now()
    drain_webhook_deliveries()
    delivery = WebhookDelivery.objects.get()
    assert before + timedelta(seconds=BASE) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= timezone.now() + timedelta(seconds=BASE)

    _wait_until_due(delivery)
    drain_webhook_deliveries()  # Graph answers 503 with Retry-After: 120
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at >= timezone.now() + timedelta(seconds=115)


def test_a_rate_limit_defers_every_mention_of_the_account_to_its_reset_calling_graph_once(
    instagram, account, captured
):
    instagram.fault(FaultKind.RATE_LIMIT, LOOKUP, remaining=1, reset_after_seconds=600)
    instagram.ig.mention(IG_ID, "lise.berg", f"Et spørgsmål til @{IG_USERNAME}")
    instagram.ig.mention(IG_ID, "ole_s", f"Og et til @{IG_USERNAME}")
    _store(captured, 2)

    drain_webhook_deliveries()

    assert _lookups(instagram) == 1  # the second mention waits for the reset without calling
    for delivery in WebhookDelivery.objects.all():
        assert delivery.ingested_at is None
        assert delivery.next_attempt_at >= timezone.now() + timedelta(seconds=590)
    assert not drain_if_due()


@pytest.mark.parametrize(
    ("fault", "why"),
    [
        (FaultKind.SERVER_ERROR_HTML, "did not answer its lookup"),
        # Graph's 190, as while the token is being renewed:
        (FaultKind.EXPIRED_TOKEN, "refusing the account's access token"),
    ],
)
def test_a_lookup_that_keeps_failing_fails_for_good_with_its_reason_on_the_accounts_health(
    instagram, account, captured, caplog, manager, admin_agent, fault, why
):
    instagram.fault(fault, LOOKUP)  # until cleared
    mention = instagram.ig.mention(IG_ID, "lise.berg", f"Svar mig @{IG_USERNAME}")
    _store(captured, 1)
    delivery = WebhookDelivery.objects.get()

    with caplog.at_level(logging.WARNING, logger="connectors.webhook_jobs"):
        for _ in range(3):
            drain_webhook_deliveries()
            delivery.refresh_from_db()
            if delivery.ingested_at is None:
                _wait_until_due(delivery)

    assert delivery.ingested_at is not None
    assert delivery.outcome.startswith("failed after 3 attempts: ")
    assert _lookups(instagram) == 3
    assert not Conversation.objects.exists()
    assert not drain_if_due()  # failed for good: never taken again
    # Logged with its payload: the mention's ids are not lost without a trace.
    [given_up] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "failed for good after 3 attempts" in given_up.getMessage()
    assert mention["media_id"] in given_up.getMessage()

    account.refresh_from_db()
    assert account.webhook_failures == 1
    assert why in account.webhook_last_failure_shown
    with translation.override("da"):
        danish = account.webhook_last_failure_shown
    assert "webhook" in danish
    assert "platformen" in danish  # the whole sentence is Danish, its reason too
    assert "not stored" not in danish
    assert "refusing" not in danish
    assert "did not answer" not in danish

    if fault is FaultKind.SERVER_ERROR_HTML:  # the Channels page shows it under "Last error"
        from tests.web.channels_support import signed_in

        page = signed_in(admin_agent).get("/channels/").content.decode()
        assert "data-webhook-failure" in page
        assert why in page

    [row] = [
        a for a in api_client_for(manager).get("/api/accounts").json()
        if a["id"] == account.pk
    ]  # fmt: skip
    assert row["webhook_failures"] == 1
    assert row["webhook_last_failure_at"] is not None
    assert why in row["webhook_last_failure"]


def test_a_mention_the_account_cannot_read_fails_at_once_without_retries(
    instagram, account, captured
):
    instagram.ig.mention(IG_ID, "hemmelig", f"@{IG_USERNAME} se her", private=True)
    _store(captured, 1)

    drain_webhook_deliveries()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.outcome) == (0, "stored 0, 0 already known")
    assert delivery.ingested_at is not None
    assert not drain_if_due()


@pytest.mark.slow
def test_a_worker_killed_mid_retry_loses_and_doubles_nothing(instagram, account, captured):
    """SIGKILL drill: a real worker's maintenance pass queues the drain of a delivery whose
    retry is due, and is killed while Graph holds the lookup. The attempt left no trace (the
    advisory lock dies with the connection); a fresh worker stores the mention once."""
    from tests.connectors.worker_support import WorkerProcess, wait_for

    env = {comments_by_webhook.CREDENTIAL: instagram_support.TOKEN,
           "SVAR_WEBHOOK_RETRY_BASE_SECONDS": str(BASE)}  # fmt: skip
    instagram.fault(FaultKind.SERVER_ERROR_HTML, LOOKUP, remaining=1)
    instagram.ig.mention(IG_ID, "lise.berg", f"Er I der, @{IG_USERNAME}?")
    _store(captured, 1)
    drain_webhook_deliveries()  # attempt 1 fails: a retry is due in BASE seconds
    instagram.fault(FaultKind.SLOW, LOOKUP, remaining=1, delay_seconds=6)

    doomed = WorkerProcess("default", env=env, name="ig-drain-doomed")
    try:
        wait_for(lambda: _lookups(instagram) == 2, timeout=60, what="the retry's lookup")
        doomed.kill()  # mid-call: the simulator still holds the request
    finally:
        doomed.stop()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.ingested_at, delivery.attempts) == (None, 1)
    assert not Message.objects.exists()

    survivor = WorkerProcess("default", env=env, name="ig-drain-survivor")
    try:
        wait_for(
            lambda: WebhookDelivery.objects.filter(ingested_at__isnull=False).exists(),
            timeout=120, what="the delivery to be drained by the fresh worker",
        )  # fmt: skip
    finally:
        survivor.stop()
    assert Message.objects.get().text == f"Er I der, @{IG_USERNAME}?"
    delivery.refresh_from_db()
    assert delivery.outcome == "stored 1, 0 already known"
