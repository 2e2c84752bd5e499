"""The team's guidelines are enforced by the reply service, for every way a reply is made: the
REST API, the composer (which previews the same verdict), a handover note and a retry."""

from __future__ import annotations

import pytest

from inbox.models import AuditEntry, DeliveryState, Message
from inbox.permissions.roles import Role
from inbox.services import messages_ingest
from inbox.services.delivery import reply_delivery_failed
from inbox.services.guidelines import guideline_rule_create
from tests.conftest import api_client_for
from tests.factories import AgentFactory, inbound

pytestmark = pytest.mark.django_db

CPR_REPLY = "Dit CPR-nummer 010190-1234 er registreret."


def reply(client, conversation, body):
    return client.post(f"/api/conversations/{conversation.pk}/reply", {"body": body}, format="json")


def outbound():
    return Message.objects.filter(direction="out")


def test_an_api_reply_with_a_cpr_number_on_a_public_conversation_is_refused(
    api, conversation, published, monkeypatch
):
    queued = []
    monkeypatch.setattr("inbox.services.replies.enqueue_delivery", queued.append)
    response = reply(api, conversation, CPR_REPLY)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "guideline_blocked"
    assert "National identity numbers" in error["message"]
    assert "010190-1234" in error["message"]
    [hit] = error["details"]["hits"]
    assert (hit["rule"], hit["action"], hit["kind"]) == (
        "National identity numbers",
        "block",
        "personal_data",
    )
    assert hit["matched"] == [{"text": "010190-1234", "start": 15, "end": 26}]
    # Nothing stored, nothing queued, nothing announced.
    assert not outbound().exists()
    assert queued == []
    assert published == []


def test_the_refusal_is_worded_in_the_agents_language(agent, conversation):
    agent.language = "da"
    agent.save()
    response = reply(api_client_for(agent), conversation, CPR_REPLY)
    message = response.json()["error"]["message"]
    assert "Teamets retningslinjer tillader ikke dette svar" in message
    assert "Personnumre" in message
    assert "010190-1234" in message


def test_the_same_cpr_number_in_a_private_message_is_allowed(api, x_account):
    messages_ingest(
        account_id=x_account.pk,
        messages=[inbound(thread="dm1", external_id="dm-1", kind="private")],
    )
    dm = x_account.conversations.get(kind="private")
    assert reply(api, dm, CPR_REPLY).status_code == 201


def test_the_preview_gives_the_verdict_the_service_will_give(api, conversation):
    data = api.post(
        f"/api/conversations/{conversation.pk}/reply/preview", {"body": CPR_REPLY}, format="json"
    ).json()
    assert data["guidelines"]["action"] == "block"
    assert data["guidelines"]["hits"][0]["matched"][0]["text"] == "010190-1234"
    clean = api.post(
        f"/api/conversations/{conversation.pk}/reply/preview", {"body": "Hej"}, format="json"
    ).json()
    assert clean["guidelines"] == {"action": "none", "hits": []}


def test_an_email_address_in_public_is_a_warning_the_reply_is_posted_and_audited(api, conversation):
    response = reply(api, conversation, "Skriv til mette@example.dk")
    assert response.status_code == 201
    entry = AuditEntry.objects.get(action="reply.sent")
    assert entry.details["guidelines"][0]["action"] == "warn"
    assert entry.details["guidelines"][0]["matched"][0]["text"] == "mette@example.dk"


def test_a_handover_note_that_breaks_a_rule_refuses_the_whole_handover(
    api, colleague, conversation
):
    response = api.post(
        f"/api/conversations/{conversation.pk}/handover",
        {"assignee_id": colleague.pk, "note_to_customer": CPR_REPLY},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "guideline_blocked"
    conversation.refresh_from_db()
    assert conversation.assignee_id is None
    assert not outbound().exists()


def test_a_failed_reply_is_checked_again_on_retry_against_todays_rules(
    api, manager, team, conversation
):
    response = reply(api, conversation, "Projekt Ørnen er forsinket.")
    message_id = response.json()["message"]["id"]
    reply_delivery_failed(message_id=message_id, reason="platform down")
    guideline_rule_create(
        user=manager.user,
        team_id=team.pk,
        data={"name": "Interne navne", "kind": "words", "action": "block", "words": ["ørnen"]},
    )

    retry = api.post(f"/api/messages/{message_id}/retry")

    assert retry.status_code == 400
    assert retry.json()["error"]["details"]["hits"][0]["matched"][0]["text"] == "Ørnen"
    assert Message.objects.get(pk=message_id).delivery_state == DeliveryState.FAILED


def test_a_rule_of_another_team_does_not_apply(api, other_team, conversation):
    other_manager = AgentFactory(teams=[other_team], role=Role.MANAGER)
    guideline_rule_create(
        user=other_manager.user,
        team_id=other_team.pk,
        data={"name": "Told-ord", "kind": "words", "action": "block", "words": ["opgørelse"]},
    )
    assert reply(api, conversation, "Din opgørelse kommer.").status_code == 201
