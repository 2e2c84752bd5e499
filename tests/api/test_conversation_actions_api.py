"""Replying, assigning, status, notes and tags over the API, including every refusal."""

from __future__ import annotations

import pytest

from inbox.models import Conversation, DeliveryState, Message
from inbox.services import messages_ingest
from tests.conftest import api_client_for
from tests.factories import ChannelAccountFactory, inbound

pytestmark = pytest.mark.django_db


def post(client, conversation, action, payload):
    return client.post(f"/api/conversations/{conversation.pk}/{action}", payload, format="json")


def test_a_reply_is_stored_signed_and_queued(api, agent, conversation, published):
    response = post(api, conversation, "reply", {"body": "Din opgørelse kommer i marts."})

    assert response.status_code == 201
    message = response.json()["message"]
    assert message["text"] == "Din opgørelse kommer i marts. /Mette"
    assert message["delivery_state"] == "queued"
    assert message["author_agent"]["public_name"] == "Mette Jensen"
    stored = Message.objects.get(pk=message["id"])
    assert stored.signature == " /Mette"
    assert stored.in_reply_to_external_id == "101"
    assert stored.delivery_state == DeliveryState.QUEUED
    conversation.refresh_from_db()
    assert conversation.waiting_since is None
    assert conversation.assignee == agent  # who answers, owns
    assert published[-1]["kind"] == "reply.created"


def test_a_public_reply_is_signed_even_without_a_signature_set(colleague, conversation):
    response = post(api_client_for(colleague), conversation, "reply", {"body": "Hej"})
    assert response.json()["message"]["text"] == "Hej /Lars Holm"


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_an_empty_reply_is_refused(api, conversation, body):
    response = post(api, conversation, "reply", {"body": body})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "reply_empty"
    assert not Message.objects.filter(direction="out").exists()


def test_an_over_long_tweet_is_refused_naming_limit_and_measured_length(api, conversation):
    body = "😀" * 137  # 274 weighted characters, + " /Mette" (7) = 281
    response = post(api, conversation, "reply", {"body": body})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "reply_too_long"
    assert error["details"]["limit"] == 280
    assert error["details"]["length"] == 281
    assert "281" in error["message"]
    assert "280" in error["message"]
    assert post(api, conversation, "reply", {"body": "😀" * 136}).status_code == 201
    assert Message.objects.filter(direction="out").count() == 1


def test_a_url_counts_as_23_characters_on_x(api, conversation):
    body = "Se " + "https://skat.dk/" + "a" * 300 + " " + "x" * 240
    response = post(api, conversation, "reply", {"body": body})
    assert response.status_code == 201  # 3 + 23 + 1 + 240 + 7 = 274


def test_assigning_to_a_colleague_and_back_to_nobody(api, colleague, conversation, published):
    response = post(api, conversation, "assign", {"assignee_id": colleague.pk})
    assert response.status_code == 200
    assert response.json()["assignee"]["public_name"] == "Lars Holm"
    assert response.json()["version"] == 2

    response = post(api, conversation, "assign", {"assignee_id": None})
    assert response.json()["assignee"] is None
    assert [e["kind"] for e in published] == ["conversation.assigned"] * 2


def test_claiming_takes_the_conversation(api, agent, conversation):
    response = post(api, conversation, "claim", {})
    assert response.json()["assignee"]["id"] == agent.pk


def test_assigning_to_someone_outside_the_team_is_refused(api, outsider, conversation):
    response = post(api, conversation, "assign", {"assignee_id": outsider.pk})
    assert response.status_code == 400
    assert "not in this conversation's team" in response.json()["error"]["message"]


def test_assigning_to_an_unknown_agent_is_404(api, conversation):
    assert post(api, conversation, "assign", {"assignee_id": 987654}).status_code == 404


def test_acting_on_a_stale_version_is_a_409(api, colleague, conversation):
    post(api, conversation, "claim", {"version": 1})
    response = post(api, conversation, "assign", {"assignee_id": colleague.pk, "version": 1})
    assert response.status_code == 409
    assert response.json()["error"]["details"]["current_version"] == 2


def test_status_follows_the_allowed_transitions(api, conversation):
    assert post(api, conversation, "status", {"status": "pending"}).status_code == 200
    resolved = post(api, conversation, "status", {"status": "resolved"})
    assert resolved.json()["resolved_at"] is not None

    refused = post(api, conversation, "status", {"status": "pending"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "invalid_transition"
    assert refused.json()["error"]["details"]["allowed"] == ["open"]
    assert post(api, conversation, "status", {"status": "resolved"}).status_code == 409

    reopened = post(api, conversation, "status", {"status": "open"})
    assert reopened.json()["status"] == "open"
    assert reopened.json()["resolved_at"] is None


def test_an_unknown_status_is_a_400(api, conversation):
    response = post(api, conversation, "status", {"status": "closed"})
    assert response.status_code == 400
    assert "status" in response.json()["error"]["message"]


def test_notes_are_internal_and_need_text(api, conversation, published):
    assert post(api, conversation, "notes", {"body": " "}).status_code == 400
    response = post(api, conversation, "notes", {"body": "Kunden har ringet før"})
    assert response.status_code == 201
    assert response.json()["note"]["author"]["public_name"] == "Mette Jensen"
    assert not Message.objects.filter(direction="out").exists()
    assert published[-1]["kind"] == "note.created"


def test_tags_are_normalised_added_and_removed(api, conversation):
    response = post(api, conversation, "tags", {"add": ["  Forskuds Opgørelse ", "Vigtig"]})
    assert response.json()["tags"] == ["forskuds opgørelse", "vigtig"]
    response = post(api, conversation, "tags", {"remove": ["VIGTIG"]})
    assert response.json()["tags"] == ["forskuds opgørelse"]
    assert post(api, conversation, "tags", {"add": ["x" * 60]}).status_code == 400


def test_an_agent_of_another_team_cannot_see_or_touch_the_conversation(outsider, conversation):
    client = api_client_for(outsider)
    assert client.get(f"/api/conversations/{conversation.pk}").status_code == 404
    assert client.get("/api/conversations").json()["results"] == []
    for action, payload in [
        ("reply", {"body": "hej"}),
        ("assign", {"assignee_id": outsider.pk}),
        ("claim", {}),
        ("status", {"status": "resolved"}),
        ("notes", {"body": "hej"}),
        ("tags", {"add": ["x"]}),
    ]:
        response = post(client, conversation, action, payload)
        assert response.status_code == 404, action
    conversation.refresh_from_db()
    assert conversation.version == 1


def test_a_user_without_an_agent_role_is_refused(django_user_model, conversation):
    user = django_user_model.objects.create_user("visitor", password="correct horse battery")
    client = api_client_for(type("A", (), {"user": user})())
    assert client.get("/api/conversations").status_code == 403


def test_a_reply_on_facebook_uses_the_facebook_signature(api, team):
    fb = ChannelAccountFactory(team=team, platform="facebook")
    messages_ingest(account_id=fb.pk, messages=[inbound(thread="post_1")])
    conversation = Conversation.objects.get(account=fb)
    response = post(api, conversation, "reply", {"body": "Hej Kirsten"})
    assert response.json()["message"]["text"] == "Hej Kirsten\n\nVenlig hilsen Mette, Kundeservice"
