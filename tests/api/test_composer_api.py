"""The composer's endpoints: the preview the counter shows, and the handover."""

from __future__ import annotations

import pytest

from inbox.models import Message
from inbox.services import reply_preview
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db


def preview(client, conversation, body):
    return client.post(
        f"/api/conversations/{conversation.pk}/reply/preview", {"body": body}, format="json"
    )


def test_the_preview_is_what_will_be_posted_counted_as_the_server_counts(api, agent, conversation):
    body = "Se https://skat.dk/a/very/long/path/that/x/shortens 😀"
    response = preview(api, conversation, body)

    assert response.status_code == 200
    data = response.json()
    rendered = reply_preview(agent=agent, conversation=conversation, body=body)
    assert data["text"] == rendered.text == body + " /Mette"
    assert data["signature"] == " /Mette"
    # URL 23 + emoji 2 (weighted), not len(): the counter and the server cannot disagree.
    assert data["length"] == rendered.length == len("Se ") + 23 + 1 + 2 + len(" /Mette")
    assert (data["limit"], data["fits"], data["public"]) == (280, True, True)
    assert data["personal_data"] == []


def test_the_preview_says_when_it_is_too_long(api, conversation):
    data = preview(api, conversation, "x" * 274).json()
    assert (data["length"], data["limit"], data["fits"]) == (281, 280, False)


def test_the_preview_points_at_personal_data_in_the_body(api, conversation):
    data = preview(api, conversation, "Dit CPR 010190-1234 er noteret").json()
    assert data["personal_data"] == [{"kind": "cpr", "national_id": True, "start": 8, "end": 19}]
    assert data["text"][8:19] == "010190-1234"


def test_the_preview_of_another_teams_conversation_is_not_found(outsider, conversation):
    response = preview(api_client_for(outsider), conversation, "Hej")
    assert response.status_code == 404


def test_a_handover_assigns_and_tells_the_customer_in_one_signed_reply(
    api, agent, colleague, conversation, published
):
    response = api.post(
        f"/api/conversations/{conversation.pk}/handover",
        {"assignee_id": colleague.pk, "note_to_customer": "Lars Holm tager over herfra."},
        format="json",
    )

    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["conversation"]["assignee"]["public_name"] == "Lars Holm"
    assert data["message"]["text"] == "Lars Holm tager over herfra. /Mette"
    assert data["message"]["author_agent"]["id"] == agent.pk
    assert [e["kind"] for e in published] == ["reply.created", "conversation.assigned"]


def test_a_handover_without_a_note_only_assigns(api, colleague, conversation):
    response = api.post(
        f"/api/conversations/{conversation.pk}/handover",
        {"assignee_id": colleague.pk},
        format="json",
    )
    assert response.json()["message"] is None
    assert not Message.objects.filter(direction="out").exists()


def test_a_refused_handover_note_leaves_the_assignee_unchanged(api, colleague, conversation):
    response = api.post(
        f"/api/conversations/{conversation.pk}/handover",
        {"assignee_id": colleague.pk, "note_to_customer": "x" * 300},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "reply_too_long"
    conversation.refresh_from_db()
    assert conversation.assignee_id is None  # both or neither


def test_one_cannot_hand_over_to_oneself(api, agent, conversation):
    response = api.post(
        f"/api/conversations/{conversation.pk}/handover", {"assignee_id": agent.pk}, format="json"
    )
    assert response.status_code == 400
