"""``/webhooks/meta`` at the door: the handshake, and what a delivery must be to be stored.
A delivery is verified before anything reads it, stored once however often Meta sends it, and
its ingest is queued, never done inside the request."""

from __future__ import annotations

import django_rq
import pytest

from inbox.models import Message, WebhookDelivery
from tests.webhooks.support import (
    URL,
    VERIFY_TOKEN,
    comment_delivery,
    meta_settings,  # noqa: F401 (a fixture)
    page_account,
    post,
    sign,
)
from web.webhooks import counters

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("meta_settings", "clean_queues"),
]


def _queued() -> list[str]:
    return [job.func_name for job in django_rq.get_queue("default").jobs]


def test_the_handshake_echoes_the_challenge_only_for_the_right_verify_token(client):
    ok = client.get(URL, {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN,
                          "hub.challenge": "1158201444"})  # fmt: skip
    wrong = client.get(URL, {"hub.mode": "subscribe", "hub.verify_token": "guess",
                             "hub.challenge": "1158201444"})  # fmt: skip
    assert (ok.status_code, ok.content) == (200, b"1158201444")
    assert wrong.status_code == 403
    assert b"1158201444" not in wrong.content


@pytest.mark.parametrize("signature", [None, "", "sha256=" + "0" * 64, "sha1=abc", "garbage"])
def test_a_bad_or_missing_signature_is_refused_and_nothing_is_stored(client, team, signature):
    page_account(team)
    response = post(client, comment_delivery("1_2", "Hej"), signature)
    assert response.status_code == 403
    assert WebhookDelivery.objects.count() == 0
    assert _queued() == []
    assert counters.totals()["bad_signature"] == 1


def test_a_body_signed_with_another_secret_is_refused(client, team):
    page_account(team)
    body = comment_delivery("1_2", "Hej")
    assert post(client, body, sign(body, "not-the-app-secret")).status_code == 403
    assert WebhookDelivery.objects.count() == 0


def test_a_signature_over_other_bytes_is_refused_even_if_the_json_means_the_same(client, team):
    page_account(team)
    body = comment_delivery("1_2", "Hej")
    assert post(client, body + b" ", sign(body)).status_code == 403


def test_a_verified_delivery_is_stored_and_its_ingest_queued_not_done(client, team):
    page_account(team)
    body = comment_delivery("1_2", "Hvornår er fristen?")
    response = post(client, body, sign(body))
    assert response.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert bytes(delivery.body) == body
    assert delivery.ingested_at is None
    assert _queued() == ["connectors.webhook_jobs.drain_webhook_deliveries"]
    assert Message.objects.count() == 0  # the job ingests, not the request


def test_a_replayed_delivery_is_acknowledged_and_stored_once(client, team):
    page_account(team)
    body = comment_delivery("1_2", "Hvornår er fristen?")
    answers = [post(client, body, sign(body)).status_code for _ in range(3)]
    assert answers == [200, 200, 200]
    assert WebhookDelivery.objects.count() == 1
    assert len(_queued()) == 1  # one drain waiting is enough
    assert counters.totals()["duplicate"] == 2


def test_a_body_over_the_limit_is_refused_before_it_is_read(client, team, settings):
    page_account(team)
    settings.SVAR_WEBHOOK_MAX_BYTES = 1000
    body = comment_delivery("1_2", "x" * 2000)
    assert post(client, body, sign(body)).status_code == 413
    assert WebhookDelivery.objects.count() == 0


def test_malformed_json_with_a_valid_signature_is_a_bad_request(client, team):
    page_account(team)
    body = b'{"object": "page", "entry": [{'
    assert post(client, body, sign(body)).status_code == 400
    assert WebhookDelivery.objects.count() == 0
    assert counters.totals()["malformed"] == 1


def test_a_delivery_for_an_unknown_page_is_acknowledged_counted_and_not_stored(client, team):
    page_account(team)
    body = comment_delivery("9_2", "Hej", page_id="999999")
    assert post(client, body, sign(body)).status_code == 200  # Meta would retry anything else
    assert WebhookDelivery.objects.count() == 0
    assert _queued() == []
    assert counters.totals()["unknown_account"] == 1


def test_without_an_app_secret_configured_every_delivery_is_refused(client, team, settings):
    page_account(team)
    settings.SVAR_META_APP_SECRET = ""
    body = comment_delivery("1_2", "Hej")
    assert post(client, body, sign(body, "")).status_code == 403


def test_the_endpoint_needs_no_session_and_no_csrf_token(team):
    from django.test import Client

    page_account(team)
    strict = Client(enforce_csrf_checks=True)
    body = comment_delivery("1_2", "Hej")
    response = post(strict, body, sign(body))
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
