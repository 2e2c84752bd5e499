"""The connector jobs against the simulated Graph API: polls, health, and delivery at most once.

Jobs run in-process here (the worker is exercised in test_worker_crash.py); the platform is the
simulator over real HTTP, and PostgreSQL is real.
"""

from __future__ import annotations

import logging

import pytest
from django.utils import timezone

from connectors import jobs
from connectors.simulator.faults import FaultKind
from inbox.models import AccountHealth, ChannelAccount, Conversation, DeliveryState, Message
from inbox.services import reply_create
from inbox.services.delivery import reply_retry
from tests.conftest import api_client_for
from tests.connectors import facebook_support
from tests.connectors.facebook_support import KIRSTEN, OLE, PAGE_ID, TOKEN, ago

graph_server = facebook_support.graph_server
graph = facebook_support.graph
pytestmark = pytest.mark.django_db(transaction=True)
CREDENTIAL = "SVAR_CREDENTIAL_FACEBOOK_TEST"


@pytest.fixture
def page(graph, team, monkeypatch) -> ChannelAccount:
    monkeypatch.setenv(CREDENTIAL, TOKEN)
    return ChannelAccount.objects.create(
        platform="facebook",
        display_name="Skattestyrelsen",
        external_id=PAGE_ID,
        team=team,
        credentials_ref=CREDENTIAL,
        base_url=graph.base_url,
    )


def _poll(page: ChannelAccount) -> ChannelAccount:
    jobs.poll_account(page.pk)
    page.refresh_from_db()
    return page


def test_a_poll_stores_comments_and_messenger_threads_and_advances_the_cursor(graph, page):
    post = graph.app.add_post(PAGE_ID, "Husk fristen 1. maj")
    first = graph.app.add_comment(post["id"], KIRSTEN, "Gælder fristen også mig?")
    graph.app.add_comment(post["id"], OLE, "Samme spørgsmål", parent_id=first["id"])
    graph.app.add_messenger_message(PAGE_ID, "psid-1", "Per Hansen", "Hej, mit CPR er ændret")

    page = _poll(page)

    assert Message.objects.count() == 3
    assert Conversation.objects.filter(kind="public").count() == 1  # the reply joins its thread
    assert Conversation.objects.filter(kind="private").count() == 1
    assert page.health == AccountHealth.HEALTHY
    assert page.last_polled_at is not None
    assert page.next_poll_at > timezone.now()
    assert page.poll_cursor

    page = _poll(page)
    assert Message.objects.count() == 3


def test_an_expired_token_pauses_polling_visibly(graph, page, agent):
    graph.app.expire_token(TOKEN)

    page = _poll(page)

    assert page.health == AccountHealth.UNHEALTHY
    assert "token" in page.last_error.lower()
    assert page.pk not in jobs.channel_account_list_due(now=timezone.now())
    calls = len(graph.calls())
    assert jobs.poll_account(page.pk).startswith("skipped")
    assert len(graph.calls()) == calls
    health = api_client_for(agent).get("/api/accounts").json()[0]
    assert health["health"] == "unhealthy"
    assert "credentials_ref" not in health


def test_a_rate_limit_is_honoured_until_its_reset(graph, page):
    graph.fault(FaultKind.RATE_LIMIT, remaining=1)

    page = _poll(page)

    assert page.rate_limit_reset_at > timezone.now()
    assert page.next_poll_at >= page.rate_limit_reset_at
    calls = len(graph.calls())
    assert jobs.poll_account(page.pk).startswith("skipped: rate limited")
    assert len(graph.calls()) == calls  # no call before the reset


def test_a_platform_outage_backs_off_and_recovers(graph, page):
    graph.fault(FaultKind.SERVER_ERROR_HTML, remaining=1)

    page = _poll(page)
    assert page.health == AccountHealth.DEGRADED
    assert page.consecutive_failures == 1
    assert page.next_poll_at > timezone.now()

    page = _poll(page)
    assert page.health == AccountHealth.HEALTHY
    assert page.consecutive_failures == 0


def test_an_unreadable_item_is_logged_with_its_payload_and_the_rest_stored(graph, page, caplog):
    post = graph.app.add_post(PAGE_ID, "Opslag")
    graph.app.add_comment(post["id"], KIRSTEN, "Et fint spørgsmål")
    graph.app.add_malformed_comment(post["id"], {"id": f"{post['id']}_999", "message": "?"})

    with caplog.at_level(logging.WARNING, logger="connectors.jobs"):
        page = _poll(page)

    assert Message.objects.count() == 1
    assert "_999" in caplog.text
    assert "could not be read" in page.last_error


def _messenger_conversation(graph, page, *, days_ago: float = 0) -> Conversation:
    # Read history back to before the message (a first poll looks back a limited time only).
    page.poll_cursor = {"messenger_since": ago(days=days_ago + 1).isoformat()}
    page.save(update_fields=["poll_cursor"])
    graph.app.add_messenger_message(
        PAGE_ID, "psid-1", "Per Hansen", "Hvornår får jeg penge tilbage?",
        created_time=ago(days=days_ago, minutes=1),
    )  # fmt: skip
    _poll(page)
    return Conversation.objects.get(kind="private")


def test_a_messenger_reply_is_posted_once_with_the_agents_persona(graph, page, agent):
    conversation = _messenger_conversation(graph, page)
    reply = reply_create(user=agent.user, conversation_id=conversation.pk, body="Om 3 uger")

    assert jobs.deliver_reply(reply.pk).startswith("sent")
    assert jobs.deliver_reply(reply.pk) == "nothing to do"

    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.SENT
    sent = graph.app.page_replies(PAGE_ID)["messages"]
    assert len(sent) == 1
    assert sent[0]["text"] == reply.text
    assert [p["name"] for p in graph.app.personas(PAGE_ID)] == ["Mette Jensen"]
    # The page's own message comes back in the next poll: already known, not stored again.
    _poll(page)
    assert conversation.messages.filter(direction="out").count() == 1


def test_a_reply_after_the_messenger_window_fails_clearly_without_calling(graph, page, agent):
    conversation = _messenger_conversation(graph, page, days_ago=8)
    reply = reply_create(user=agent.user, conversation_id=conversation.pk, body="Undskyld")
    calls = len(graph.calls())

    assert jobs.deliver_reply(reply.pk).startswith("failed")

    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.FAILED
    assert "7 days" in reply.delivery_error or "window" in reply.delivery_error.lower()
    assert not [c for c in graph.calls()[calls:] if c.endswith("/messages")]
    assert jobs.deliver_reply(reply.pk) == "nothing to do"  # no retry loop


def test_a_reply_to_a_deleted_comment_fails_and_can_be_retried(graph, page, agent):
    post = graph.app.add_post(PAGE_ID, "Opslag")
    comment = graph.app.add_comment(post["id"], KIRSTEN, "Hjælp!")
    _poll(page)
    conversation = Conversation.objects.get()
    reply = reply_create(user=agent.user, conversation_id=conversation.pk, body="Vi hjælper")
    graph.app.delete_comment(comment["id"])

    jobs.deliver_reply(reply.pk)

    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.FAILED
    assert "deleted" in reply.delivery_error
    response = api_client_for(agent).post(f"/api/messages/{reply.pk}/retry")
    assert response.status_code == 200
    assert response.json()["delivery_state"] == "queued"
    again = api_client_for(agent).post(f"/api/messages/{reply.pk}/retry")
    assert again.status_code == 409


def test_only_the_team_can_retry_a_reply(graph, page, agent, outsider):
    conversation = _messenger_conversation(graph, page, days_ago=8)
    reply = reply_create(user=agent.user, conversation_id=conversation.pk, body="Hej")
    jobs.deliver_reply(reply.pk)
    with pytest.raises(jobs.delivery_services.NotFound):
        reply_retry(user=outsider.user, message_id=reply.pk)
