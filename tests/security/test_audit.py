"""Every change an agent or admin makes leaves one audit entry, written in the same
transaction: who, what, which object, which team, from which address and request. Managers
read their teams' entries, admins everything, agents nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from inbox.audit import audit_export
from inbox.models import AuditEntry, Message
from inbox.permissions.roles import Role
from inbox.services.credentials import channel_account_set_token
from inbox.services.delivery import reply_delivery_failed
from tests.conftest import api_client_for
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db
ADDRESS = "198.51.100.23"
REQUEST_ID = "req-4f9c2a7e"


def call(client, path: str, payload: dict | None = None):
    return client.post(
        path, payload or {}, format="json", REMOTE_ADDR=ADDRESS, HTTP_X_REQUEST_ID=REQUEST_ID
    )


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action))


def test_each_change_through_the_api_is_audited_once_with_actor_address_and_request(
    api, agent, colleague, conversation
):
    base = f"/api/conversations/{conversation.pk}"
    reply = call(api, f"{base}/reply", {"body": "Den kommer i marts."})
    assert reply.status_code == 201
    assert reply["X-Request-ID"] == REQUEST_ID
    assert call(api, f"{base}/assign", {"assignee_id": colleague.pk}).status_code == 200
    assert call(api, f"{base}/status", {"status": "pending"}).status_code == 200
    assert call(api, f"{base}/tags", {"add": ["skat"]}).status_code == 200
    assert call(api, f"{base}/notes", {"body": "Ring tilbage"}).status_code == 201

    sent = entries("reply.sent")
    assert len(sent) == 1
    assert sent[0].actor == agent
    assert sent[0].actor_label == agent.user.get_username()
    assert sent[0].object_type == "message"
    assert sent[0].object_id == str(reply.json()["message"]["id"])
    assert sent[0].team_id == conversation.team_id
    assert sent[0].details == {
        "conversation_id": conversation.pk,
        "text": "Den kommer i marts. /Mette",
    }
    assert sent[0].ip == ADDRESS
    assert sent[0].request_id == REQUEST_ID
    assert entries("conversation.assigned")[0].details == {"from": agent.pk, "to": colleague.pk}
    assert entries("conversation.status_changed")[0].details == {"from": "open", "to": "pending"}
    assert entries("conversation.tagged")[0].details == {"added": ["skat"], "removed": []}
    assert entries("note.created")[0].details == {"conversation_id": conversation.pk}
    assert AuditEntry.objects.count() == 5


def test_a_refused_change_leaves_no_entry(api, conversation):
    response = call(api, f"/api/conversations/{conversation.pk}/status", {"status": "open"})

    assert response.status_code == 409
    assert not AuditEntry.objects.exists()


def test_retrying_a_failed_reply_is_audited(api, agent, conversation):
    message_id = call(api, f"/api/conversations/{conversation.pk}/reply", {"body": "Hej"}).json()[
        "message"
    ]["id"]
    reply_delivery_failed(message_id=message_id, reason="X said no")

    assert call(api, f"/api/messages/{message_id}/retry").status_code == 200

    (retried,) = entries("reply.retried")
    assert retried.actor == agent
    assert retried.details == {"conversation_id": conversation.pk, "error": "X said no"}
    assert Message.objects.get(pk=message_id).delivery_state == "queued"


def test_connecting_reconnecting_and_setting_a_token_are_audited_without_the_token(
    admin_agent, team
):
    call_command(
        "svar_add_account", "--platform", "x", "--external-id", "42", "--name", "@skat",
        "--team", team.name, "--credentials-env", "SVAR_CREDENTIAL_X_SKAT", stdout=io.StringIO(),
    )  # fmt: skip
    (created,) = entries("account.created")
    assert created.actor is None
    assert created.actor_label == "manage.py"
    assert created.details["credentials"] == "variable SVAR_CREDENTIAL_X_SKAT"

    account_id = int(created.object_id)
    channel_account_set_token(user=admin_agent.user, account_id=account_id, token="s3cret-token")
    assert (
        call(api_client_for(admin_agent), f"/api/accounts/{account_id}/reconnect").status_code
        == 200
    )

    (token_set,) = entries("account.credentials_set")
    assert token_set.actor == admin_agent
    assert token_set.details == {"replaced": "environment variable SVAR_CREDENTIAL_X_SKAT"}
    assert entries("account.reconnected")[0].ip == ADDRESS
    assert "s3cret-token" not in str(list(AuditEntry.objects.values()))


def test_exports_are_recorded_by_the_helper_export_views_call(agent, team):
    entry = audit_export(
        user=agent.user, what="response_intervals.csv", team_id=team.pk, rows=120,
        filters={"from": "2026-11-01"},
    )  # fmt: skip

    assert entry.action == "export"
    assert entry.actor == agent
    assert entry.object_id == "response_intervals.csv"
    assert entry.details == {"rows": 120, "filters": {"from": "2026-11-01"}}


def test_managers_read_their_teams_entries_admins_all_agents_none(
    api, agent, outsider, conversation, admin_agent, team, other_team
):
    call(api, f"/api/conversations/{conversation.pk}/notes", {"body": "Skat-note"})
    audit_export(user=outsider.user, what="told.csv", team_id=other_team.pk, rows=1)
    audit_export(user=admin_agent.user, what="all.csv", team_id=None, rows=2)
    manager = AgentFactory(public_name="Maria Nielsen", teams=[team], role=Role.MANAGER)

    as_manager = api_client_for(manager).get("/api/audit").json()["results"]
    as_admin = api_client_for(admin_agent).get("/api/audit").json()["results"]
    as_agent = api_client_for(agent).get("/api/audit")

    assert [e["action"] for e in as_manager] == ["note.created"]
    assert as_manager[0]["actor"]["public_name"] == "Mette Jensen"
    assert [e["object_id"] for e in as_admin] == ["all.csv", "told.csv", as_manager[0]["object_id"]]
    assert as_agent.status_code == 403
    foreign = api_client_for(manager).get(f"/api/audit?team={other_team.pk}").json()
    assert foreign["results"] == []


def test_the_audit_list_pages_newest_first(admin_agent, team):
    for n in range(5):
        audit_export(user=admin_agent.user, what=f"{n}.csv", team_id=team.pk, rows=n)
    client = api_client_for(admin_agent)

    first = client.get("/api/audit?limit=3").json()
    second = client.get(f"/api/audit?limit=3&before={first['next_before']}").json()

    assert [e["object_id"] for e in first["results"]] == ["4.csv", "3.csv", "2.csv"]
    assert [e["object_id"] for e in second["results"]] == ["1.csv", "0.csv"]
    assert second["next_before"] is None
