"""Four-eyes approval: a new agent's public reply, or one a rule holds, waits for an approver;
nothing is posted before approval and nothing twice after it."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from inbox.exceptions import InvalidTransition
from inbox.models import AuditEntry, ConversationStatus, DeliveryState, Message, ReplyApproval
from inbox.permissions.roles import Role
from inbox.services.approval import reply_approve
from inbox.services.conversations import conversation_assign, conversation_set_status
from inbox.services.guidelines import guideline_rule_create
from tests.conftest import api_client_for
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued(monkeypatch):
    """The ids handed to the delivery worker."""
    handed: list[int] = []
    monkeypatch.setattr("inbox.services.replies.enqueue_delivery", handed.append)
    monkeypatch.setattr("inbox.services.approval.enqueue_delivery", handed.append)
    return handed


@pytest.fixture
def new_agent(team):
    return AgentFactory(
        public_name="Nina Ny", initials="NN", teams=[team], needs_approval=True,
        signatures={"x": " /Nina"},
    )  # fmt: skip


def reply(agent, conversation, body="Din opgørelse kommer i marts."):
    response = api_client_for(agent).post(
        f"/api/conversations/{conversation.pk}/reply", {"body": body}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()["message"]


def approve(approver, message_id, revision=1, **more):
    return api_client_for(approver).post(
        f"/api/messages/{message_id}/approve", {"revision": revision, **more}, format="json"
    )


def test_a_new_agents_public_reply_waits_and_the_sla_clock_keeps_running(
    new_agent, conversation, queued, published
):
    message = reply(new_agent, conversation)

    assert message["delivery_state"] == "approval"
    assert queued == []  # not handed to the delivery worker
    conversation.refresh_from_db()
    assert conversation.waiting_since is not None  # the customer still waits
    assert conversation.assignee == new_agent
    kinds = [e["kind"] for e in published]
    assert kinds == ["reply.created", "reply.approval_changed"]
    approval = published[-1]["approval"]
    assert approval["state"] == "pending"
    assert approval["reasons"][0]["kind"] == "agent"
    assert AuditEntry.objects.get(action="reply.held").actor == new_agent


def test_the_approver_sees_it_in_the_queue_and_approves_it_once(
    new_agent, manager, conversation, queued
):
    message_id = reply(new_agent, conversation)["id"]
    queue = api_client_for(manager).get("/api/approvals").json()["results"]
    assert [i["message"]["id"] for i in queue] == [message_id]

    response = approve(manager, message_id)

    assert response.status_code == 200, response.json()
    assert response.json()["approval"]["decided_by"]["id"] == manager.pk
    assert queued == [message_id]
    stored = Message.objects.get(pk=message_id)
    assert stored.delivery_state == DeliveryState.QUEUED
    assert stored.text == "Din opgørelse kommer i marts. /Nina"  # signed by its author
    conversation.refresh_from_db()
    assert conversation.waiting_since is None  # answered when approved
    assert approve(manager, message_id).status_code == 409  # decided already
    assert queued == [message_id]
    assert api_client_for(manager).get("/api/approvals").json()["results"] == []


def test_edit_and_approve_keeps_the_authors_signature_and_records_the_change(
    new_agent, manager, conversation, queued
):
    message_id = reply(new_agent, conversation, "Det ordner vi")["id"]
    response = approve(manager, message_id, body="Det ordner vi i dag")

    assert response.json()["message"]["text"] == "Det ordner vi i dag /Nina"
    assert response.json()["message"]["author_agent"]["id"] == new_agent.pk
    assert ReplyApproval.objects.get(pk=message_id).original_body == "Det ordner vi"
    entry = AuditEntry.objects.get(action="reply.approved")
    assert entry.actor == manager
    assert entry.details["edited_from"] == "Det ordner vi"
    assert entry.details["text"] == "Det ordner vi i dag /Nina"


def test_an_approver_cannot_edit_a_reply_into_one_the_rules_block(new_agent, manager, conversation):
    message_id = reply(new_agent, conversation)["id"]
    response = approve(manager, message_id, body="CPR 010190-1234")
    assert response.json()["error"]["code"] == "guideline_blocked"
    assert Message.objects.get(pk=message_id).delivery_state == DeliveryState.AWAITING_APPROVAL


def test_send_back_with_a_note_then_the_author_revises_and_it_waits_again(
    new_agent, manager, conversation, queued, published
):
    message_id = reply(new_agent, conversation)["id"]
    sent_back = api_client_for(manager).post(
        f"/api/messages/{message_id}/send-back",
        {"revision": 1, "note": "Nævn fristen"},
        format="json",
    )
    assert sent_back.json()["approval"]["note"] == "Nævn fristen"
    assert Message.objects.get(pk=message_id).delivery_state == DeliveryState.SENT_BACK
    assert published[-1]["approval"]["state"] == "sent_back"  # the author sees it

    revised = api_client_for(new_agent).post(
        f"/api/messages/{message_id}/revise",
        {"revision": 1, "body": "Svar senest 1. maj"},
        format="json",
    )
    assert revised.json()["approval"] == revised.json()["approval"] | {
        "state": "pending",
        "revision": 2,
    }
    assert queued == []


def test_an_approver_who_read_an_older_revision_is_told_to_read_again(
    new_agent, manager, conversation, queued
):
    message_id = reply(new_agent, conversation)["id"]
    api_client_for(new_agent).post(
        f"/api/messages/{message_id}/revise", {"revision": 1, "body": "Ny tekst"}, format="json"
    )
    response = approve(manager, message_id, revision=1)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "stale_version"
    assert queued == []
    assert approve(manager, message_id, revision=2).status_code == 200


def test_an_agent_may_not_approve_their_own_reply(team, conversation, queued):
    approver_needing_rule = AgentFactory(teams=[team], role=Role.MANAGER)
    guideline_rule_create(
        user=approver_needing_rule.user,
        team_id=team.pk,
        data={"name": "Presse", "kind": "words", "action": "approval", "words": ["pressen"]},
    )
    message_id = reply(approver_needing_rule, conversation, "Til pressen: vi svarer i dag")["id"]
    response = approve(approver_needing_rule, message_id)
    assert response.status_code == 403
    assert queued == []


def test_only_approvers_of_the_team_may_approve(new_agent, colleague, outsider, conversation):
    message_id = reply(new_agent, conversation)["id"]
    assert approve(colleague, message_id).status_code == 403  # an agent without the right
    assert api_client_for(colleague).get("/api/approvals").status_code == 403
    outsider.may_approve = True
    outsider.save()
    assert approve(outsider, message_id).status_code == 404  # another team's reply
    colleague.may_approve = True
    colleague.save()
    assert approve(colleague, message_id).status_code == 200  # granted the right


def test_a_reply_whose_conversation_was_resolved_or_reassigned_meanwhile_may_be_approved(
    new_agent, manager, colleague, conversation, queued
):
    message_id = reply(new_agent, conversation)["id"]
    conversation_assign(
        user=manager.user, conversation_id=conversation.pk, assignee_id=colleague.pk
    )
    conversation_set_status(
        user=manager.user, conversation_id=conversation.pk, status=ConversationStatus.RESOLVED
    )
    assert approve(manager, message_id).status_code == 200
    assert queued == [message_id]
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.RESOLVED  # answering does not reopen
    assert conversation.assignee == colleague  # nor take it back


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_deliver_it_once(new_agent, manager, team, conversation, queued):
    second = AgentFactory(teams=[team], role=Role.MANAGER)
    message_id = reply(new_agent, conversation)["id"]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def approve_in_thread(approver):
        start.wait()
        try:
            reply_approve(user=approver.user, message_id=message_id, revision=1)
            outcomes.append("approved")
        except InvalidTransition:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve_in_thread, args=(a,)) for a in (manager, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["approved", "refused"]
    assert queued == [message_id]
    assert AuditEntry.objects.filter(action="reply.approved").count() == 1


def test_a_rule_that_needs_approval_holds_any_agents_reply(
    api, manager, team, conversation, queued
):
    guideline_rule_create(
        user=manager.user,
        team_id=team.pk,
        data={"name": "Presse", "kind": "tag", "action": "approval", "tag": "presse"},
    )
    api.post(f"/api/conversations/{conversation.pk}/tags", {"add": ["presse"]}, format="json")
    message = api.post(
        f"/api/conversations/{conversation.pk}/reply", {"body": "Hej"}, format="json"
    ).json()["message"]
    assert message["delivery_state"] == "approval"
    assert queued == []
