"""A verified delivery's job stores its items through the polls' ingest: threaded as a poll
threads them, marked as arrived by webhook, and never twice. A poll that finds first what a
healthy subscription should have delivered counts a gap, seen in /metrics and on the account.

Jobs run in-process; the Graph is the simulator over real HTTP; PostgreSQL is real."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client
from django.utils import timezone

from connectors import jobs
from connectors.webhook_jobs import drain_webhook_deliveries, ingest_webhook_deliveries
from inbox.models import Arrival, ChannelAccount, Conversation, Message, WebhookDelivery
from inbox.selectors.webhooks import webhook_delivery_bodies
from tests.connectors import facebook_support
from tests.connectors.facebook_support import KIRSTEN, OLE, PAGE_ID
from tests.webhooks.support import (
    comment_delivery,
    meta_settings,  # noqa: F401 (a fixture)
    page_account,
    post,
    sign,
)

graph_server = facebook_support.graph_server
graph = facebook_support.graph
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("meta_settings", "clean_queues"),
]


@pytest.fixture
def page(graph, team, monkeypatch) -> ChannelAccount:
    return page_account(team, graph.base_url, monkeypatch)


def _deliver(body: bytes) -> str:
    assert post(Client(), body, sign(body)).status_code == 200
    return ingest_webhook_deliveries(webhook_delivery_bodies(limit=10))


def _messenger_delivery(received: dict, psid: str) -> bytes:
    event = {
        "sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": 1_764_900_000_000,
        "message": {"mid": received["id"], "text": received["message"]},
    }  # fmt: skip
    entry = {"id": PAGE_ID, "time": 1_764_900_000_000, "messaging": [event]}
    return json.dumps({"object": "page", "entry": [entry]}).encode()


def test_a_comment_arrives_by_webhook_and_the_next_poll_finds_nothing_new(graph, page):
    post_ = graph.app.add_post(PAGE_ID, "Husk fristen 1. maj")
    comment = graph.app.add_comment(post_["id"], KIRSTEN, "Gælder fristen også mig?")

    outcome = _deliver(comment_delivery(comment["id"], comment["message"],
                                        post_id=post_["id"], author=KIRSTEN))  # fmt: skip

    assert outcome == "stored 1, 0 already known"
    message = Message.objects.get()
    assert (message.external_id, message.arrival) == (comment["id"], Arrival.WEBHOOK)
    assert message.conversation.contact.name == KIRSTEN["name"]
    assert jobs.poll_account(page.pk).startswith("stored 0, 1 already known")
    assert Message.objects.get().arrival == Arrival.WEBHOOK  # how it FIRST arrived


def test_a_messenger_message_joins_the_thread_a_poll_would_give_it(graph, page):
    received = graph.app.add_messenger_message(PAGE_ID, "psid-1", "Per Hansen", "Mit CPR er ændret")

    _deliver(_messenger_delivery(received, "psid-1"))

    conversation = Conversation.objects.get()
    assert conversation.external_thread_id == received["conversation_id"]  # the t_… id
    assert conversation.contact.name == "Per Hansen"  # the webhook names nobody: asked once
    later = graph.app.add_messenger_message(PAGE_ID, "psid-1", "Per Hansen", "Er I der?")
    calls = len(graph.calls())
    _deliver(_messenger_delivery(later, "psid-1"))
    assert len(graph.calls()) == calls  # a known customer's thread is read from the database
    assert Conversation.objects.get().messages.count() == 2
    assert jobs.poll_account(page.pk).startswith("stored 0, 2 already known")


def test_an_unreadable_item_is_skipped_and_the_rest_of_the_delivery_is_stored(graph, page):
    good = json.loads(comment_delivery("1_2", "Hej"))
    good["entry"][0]["changes"].append({"field": "feed", "value": {"item": "comment",
                                        "verb": "add", "comment_id": "1_3"}})  # fmt: skip
    assert _deliver(json.dumps(good).encode()) == "stored 1, 0 already known"
    assert list(Message.objects.values_list("external_id", flat=True)) == ["1_2"]


def test_ingesting_one_delivery_twice_stores_nothing_twice(graph, page):
    body = comment_delivery("1_2", "Hej")
    _deliver(body)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.update(ingested_at=None)  # as if the job ran again after a crash
    assert ingest_webhook_deliveries({delivery.pk: bytes(delivery.body)}) == (
        "stored 0, 1 already known"
    )
    assert Message.objects.count() == 1


def test_a_poll_finding_first_what_a_healthy_subscription_missed_counts_a_gap(
    graph, page, settings, client, caplog
):
    settings.SVAR_WEBHOOK_GAP_GRACE_SECONDS = 0
    post_ = graph.app.add_post(PAGE_ID, "Husk fristen")
    seen = graph.app.add_comment(post_["id"], KIRSTEN, "Kom den frem?")
    _deliver(comment_delivery(seen["id"], seen["message"], post_id=post_["id"], author=KIRSTEN))
    time.sleep(1)  # Graph times have whole seconds
    missed = graph.app.add_comment(post_["id"], OLE, "Min kom aldrig frem")  # never delivered

    jobs.poll_account(page.pk)

    page.refresh_from_db()
    assert page.webhook_gaps == 1
    assert page.webhook_last_gap_at is not None
    assert Message.objects.get(external_id=missed["id"]).arrival == Arrival.POLL
    assert missed["id"] in caplog.text
    metrics = client.get("/metrics").content.decode()
    assert f'svar_account_webhook_gaps_total{{account="{page.pk}",platform="facebook"' in metrics
    assert "svar_account_seconds_since_webhook{" in metrics


def test_without_a_healthy_subscription_what_a_poll_finds_is_no_gap(graph, page, settings):
    settings.SVAR_WEBHOOK_GAP_GRACE_SECONDS = 0
    post_ = graph.app.add_post(PAGE_ID, "Husk fristen")
    graph.app.add_comment(post_["id"], KIRSTEN, "Kom den frem?")

    jobs.poll_account(page.pk)

    page.refresh_from_db()
    assert page.webhook_gaps == 0
    assert Message.objects.get().arrival == Arrival.POLL


def test_an_item_younger_than_the_grace_is_no_gap_its_webhook_may_still_come(graph, page):
    page.webhook_last_delivery_at = timezone.now()
    page.save()
    post_ = graph.app.add_post(PAGE_ID, "Husk fristen")
    graph.app.add_comment(post_["id"], KIRSTEN, "Lige nu")

    jobs.poll_account(page.pk)

    page.refresh_from_db()
    assert page.webhook_gaps == 0


def test_while_webhooks_are_healthy_the_page_is_polled_at_the_safety_pace(graph, page, settings):
    settings.SVAR_WEBHOOK_SAFETY_POLL_SECONDS = 600
    jobs.poll_account(page.pk)
    page.refresh_from_db()
    assert page.next_poll_at < timezone.now() + timezone.timedelta(seconds=60)  # no webhooks

    _deliver(comment_delivery("1_2", "Hej"))
    jobs.poll_account(page.pk)

    page.refresh_from_db()
    assert page.next_poll_at > timezone.now() + timezone.timedelta(seconds=590)


def test_the_account_s_health_shows_its_webhook_subscription_and_its_gaps(page, admin_agent):
    from tests.conftest import api_client_for

    page.webhook_last_delivery_at = timezone.now()
    page.webhook_gaps = 3
    page.save()
    (shown,) = api_client_for(admin_agent).get("/api/accounts").json()
    assert shown["webhook_healthy"] is True
    assert shown["webhook_gaps"] == 3


def test_a_drain_ingests_every_waiting_delivery_in_one_go(graph, page):
    client = Client()
    for n in range(30):
        body = comment_delivery(f"1_{n}", f"Spørgsmål {n}")
        assert post(client, body, sign(body)).status_code == 200
    assert drain_webhook_deliveries() == "drained 30 deliveries"
    assert Message.objects.filter(arrival=Arrival.WEBHOOK).count() == 30
    assert not WebhookDelivery.objects.filter(ingested_at=None).exists()
    assert drain_webhook_deliveries() == "drained 0 deliveries"


def test_a_delivery_that_cannot_be_ingested_is_set_aside_and_holds_up_nothing(graph, page):
    client = Client()
    stranger = {"id": "m_nobody", "message": "Hvem er jeg?"}  # Graph knows no such customer
    bad = _messenger_delivery(stranger, "psid-unknown-to-graph")
    good = comment_delivery("1_2", "Hej")
    for body in (bad, good):
        assert post(client, body, sign(body)).status_code == 200

    assert drain_webhook_deliveries() == "drained 2 deliveries"

    assert list(Message.objects.values_list("external_id", flat=True)) == ["1_2"]
    failed = WebhookDelivery.objects.get(outcome__startswith="failed")
    assert "psid-unknown-to-graph" in failed.outcome


def test_ingested_deliveries_are_deleted_after_the_keeping_time_and_waiting_ones_never(
    settings,
):
    from datetime import timedelta

    from inbox.services.webhooks import webhook_deliveries_prune

    settings.SVAR_WEBHOOK_KEEP_HOURS = 24
    now = timezone.now()
    old, recent, waiting = (
        WebhookDelivery.objects.create(
            platform="facebook", digest=name, body=b"{}", received_at=now, ingested_at=at
        )
        for name, at in (("old", now - timedelta(hours=25)), ("recent", now), ("waiting", None))
    )
    assert webhook_deliveries_prune() == 1
    assert set(WebhookDelivery.objects.values_list("digest", flat=True)) == {"recent", "waiting"}
