"""Chaos: Meta drops 30 % of its webhooks and sends 10 % twice (and reorders some) while
customers write. Every message is stored exactly once; every dropped one is found by the
polls' reconciliation and counted as a gap of the subscription.

Real uvicorn, real RQ worker, the simulator over real HTTP, real PostgreSQL and Redis."""

from __future__ import annotations

import random

import pytest

from inbox.models import Arrival, Direction, Message, WebhookDelivery
from tests.connectors.facebook_support import PAGE_ID
from tests.webhooks import stack as stack_support
from tests.webhooks.stack import eventually

webhook_stack = stack_support.webhook_stack
web_processes = stack_support.web_processes
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
CUSTOMERS = [{"id": f"80{i:02d}", "name": f"Borger {i}"} for i in range(12)]
MESSAGES = 240


def _write(stack, rng: random.Random, n: int) -> str:
    """One customer's new comment or Messenger message; its platform id."""
    customer = rng.choice(CUSTOMERS)
    if n % 2:
        created = stack.graph.add_messenger_message(
            PAGE_ID, customer["id"], customer["name"], f"Besked {n}"
        )
    else:
        created = stack.graph.add_comment(stack.post_id, customer, f"Kommentar {n}")
    return created["id"]


def test_dropped_and_duplicated_webhooks_lose_nothing_and_every_drop_is_a_gap(webhook_stack):
    stack, rng = webhook_stack, random.Random(20)
    stack.post_id = stack.graph.add_post(PAGE_ID, "Husk fristen")["id"]
    stack.webhooks()  # first a healthy subscription: one delivery gets through
    first = _write(stack, rng, 0)
    eventually(lambda: Message.objects.filter(external_id=first, arrival=Arrival.WEBHOOK).exists(),
               "the first webhook's message")  # fmt: skip

    stack.webhooks(drop=0.3, duplicate=0.1, reorder=0.1, reorder_ms=300, seed=7)
    written = {first} | {_write(stack, rng, n) for n in range(1, MESSAGES)}
    eventually(lambda: Message.objects.filter(external_id__in=written).count() == len(written),
               "every message stored", timeout=120)  # fmt: skip

    report = stack.report()
    dropped, duplicated = set(report["dropped"]), set(report["duplicated"])
    assert len(dropped) > MESSAGES * 0.2  # the knobs did act
    assert duplicated
    assert report["answered"] == {"200": report["sent"]}  # every delivery acknowledged
    stored = list(Message.objects.filter(direction=Direction.INBOUND)
                  .values_list("external_id", "arrival"))  # fmt: skip
    assert sorted(e for e, _ in stored) == sorted(written)  # each exactly once
    arrival = dict(stored)
    assert all(arrival[item] == Arrival.POLL for item in dropped)  # found by the polls
    stack.account.refresh_from_db()
    polled_first = sum(1 for a in arrival.values() if a == Arrival.POLL)
    # Every item a poll found first while the subscription was healthy is a gap: all dropped
    # ones, and any whose webhook a poll happened to overtake.
    assert stack.account.webhook_gaps == polled_first >= len(dropped)
    assert "Traceback" not in stack.worker.output()
    print(
        f"\nchaos: {len(written)} messages, {len(dropped)} dropped, {len(duplicated)} sent "
        f"twice, {polled_first} found first by a poll, {stack.account.webhook_gaps} gaps"
    )


def test_wrongly_signed_deliveries_are_refused_and_the_polls_bring_their_messages(webhook_stack):
    stack = webhook_stack
    stack.post_id = stack.graph.add_post(PAGE_ID, "Husk fristen")["id"]
    stack.webhooks(bad_signature=1.0, delay_ms=200)
    written = {_write(stack, random.Random(n), n * 2) for n in range(5)}  # comments

    eventually(lambda: stack.report()["sent"] == 5, "the five deliveries sent")
    assert stack.report()["answered"] == {"403": 5}
    assert not WebhookDelivery.objects.exists()  # nothing stored from a bad signature
    eventually(lambda: Message.objects.filter(external_id__in=written).count() == 5,
               "the polls storing what the webhooks could not")  # fmt: skip
    assert set(Message.objects.values_list("arrival", flat=True)) == {Arrival.POLL}
