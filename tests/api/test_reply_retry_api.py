"""Retrying a failed reply: another team's reply is as unknown as one that does not exist, and
the answer names the reply only, never the conversation it belongs to."""

from __future__ import annotations

import pytest

from inbox.models import Conversation, Message
from inbox.services import messages_ingest, reply_create
from inbox.services.delivery import reply_delivery_failed
from tests.conftest import api_client_for
from tests.factories import ChannelAccountFactory, inbound

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_teams_failed_reply(outsider, other_team) -> Message:
    account = ChannelAccountFactory(team=other_team, display_name="@told", handle="told")
    messages_ingest(account_id=account.pk, messages=[inbound(thread="told-1")])
    conversation = Conversation.objects.get(account=account)
    reply = reply_create(
        user=outsider.user, conversation_id=conversation.pk, body="Vi kigger på det."
    )
    return reply_delivery_failed(message_id=reply.pk, reason="X said no")


def retry(agent, message_id: int):
    return api_client_for(agent).post(f"/api/messages/{message_id}/retry")


def test_retrying_another_teams_reply_answers_as_for_a_reply_that_does_not_exist(
    agent, other_teams_failed_reply
):
    reply = other_teams_failed_reply
    missing_id = Message.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000

    foreign, missing = retry(agent, reply.pk), retry(agent, missing_id)

    assert (foreign.status_code, missing.status_code) == (404, 404)
    assert foreign.json()["error"]["message"] == f"Reply {reply.pk} was not found."
    assert missing.json()["error"]["message"] == f"Reply {missing_id} was not found."
    assert str(reply.conversation_id) not in str(foreign.json())
    assert foreign.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"
    assert Message.objects.get(pk=reply.pk).delivery_state == "failed"  # untouched


def test_a_customers_message_is_no_reply_to_retry(agent, conversation):
    inbound_id = Message.objects.get(conversation=conversation).pk
    response = retry(agent, inbound_id)
    assert response.status_code == 404
    assert response.json()["error"]["message"] == f"Reply {inbound_id} was not found."


def test_the_team_that_owns_the_reply_may_retry_it(outsider, other_teams_failed_reply):
    response = retry(outsider, other_teams_failed_reply.pk)
    assert response.status_code == 200, response.json()
    assert response.json()["delivery_state"] == "queued"
