"""The people and teams API: admins change, managers read their own teams, agents are refused
in the JSON error shape; invitations, stale edits and the last admin over HTTP."""

from __future__ import annotations

import pytest
from django.core import mail

from inbox.models import AuditAction, AuditEntry, Invitation
from tests.conftest import api_client_for
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

ADMIN_WRITES = [
    ("post", "/api/teams", {"name": "Told"}),
    ("patch", "/api/teams/{team}", {"name": "Told"}),
    ("post", "/api/people/invitations", {"email": "a@b.dk", "public_name": "A", "initials": "A"}),
    ("patch", "/api/people/{person}", {"initials": "XX"}),
    ("post", "/api/people/{person}/deactivate", None),
    ("post", "/api/people/{person}/reactivate", None),
    ("post", "/api/invitations/{invitation}/resend", None),
    ("delete", "/api/invitations/{invitation}", None),
]
READS = ["/api/teams", "/api/people", "/api/people/invitations", "/api/people/{person}"]


@pytest.fixture
def invitation(admin_agent, team):
    response = api_client_for(admin_agent).post(
        "/api/people/invitations",
        {"email": "Karen@Example.dk", "public_name": "Karen Lund", "initials": "KL",
         "language": "en", "roles": ["agent"], "team_ids": [team.pk]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    return response.json()


def _url(template, colleague, team, invitation):
    return template.format(person=colleague.pk, team=team.pk, invitation=invitation["id"])


def test_an_agent_calling_the_admin_api_gets_403_in_the_json_shape(
    agent, colleague, team, invitation
):
    client = api_client_for(agent)
    for method, template, body in ADMIN_WRITES:
        url = _url(template, colleague, team, invitation)
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 403, url
        assert response.json()["error"]["code"] == "permission_denied", url
    for template in READS:
        response = client.get(_url(template, colleague, team, invitation))
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
    assert Invitation.objects.get().revoked_at is None


def test_a_manager_reads_their_own_teams_and_changes_nothing(
    manager, colleague, outsider, team, invitation
):
    client = api_client_for(manager)
    names = {p["public_name"] for p in client.get("/api/people").json()}
    assert names == {"Maja Manager", "Lars Holm"}
    assert [t["id"] for t in client.get("/api/teams").json()] == [team.pk]
    assert [i["email"] for i in client.get("/api/people/invitations").json()] == [
        "karen@example.dk"
    ]
    assert client.get(f"/api/people/{outsider.pk}").status_code == 404
    for method, template, body in ADMIN_WRITES:
        response = getattr(client, method)(
            _url(template, colleague, team, invitation), body, format="json"
        )
        assert response.status_code == 403


def test_an_admin_creates_and_renames_a_team(admin_agent, team):
    client = api_client_for(admin_agent)
    created = client.post("/api/teams", {"name": "Told"}, format="json")
    assert created.status_code == 201
    assert created.json() == {"id": created.json()["id"], "name": "Told", "agent_count": 0}
    duplicate = client.post("/api/teams", {"name": "TOLD"}, format="json")
    assert duplicate.status_code == 400
    assert duplicate.json()["error"]["details"]["fields"]["name"]
    renamed = client.patch(f"/api/teams/{team.pk}", {"name": "Skat og told"}, format="json")
    assert renamed.json()["name"] == "Skat og told"
    assert client.patch("/api/teams/999999", {"name": "X"}, format="json").status_code == 404


def test_an_invitation_from_the_api_links_to_the_public_address(admin_agent, invitation, settings):
    [message] = mail.outbox
    assert message.to == ["karen@example.dk"]
    assert f"{settings.SVAR_PUBLIC_URL}/invitation/" in message.body
    assert invitation["expired"] is False
    client = api_client_for(admin_agent)
    again = client.post("/api/people/invitations", {"email": "karen@example.dk",
                        "public_name": "K", "initials": "K"}, format="json")  # fmt: skip
    assert again.status_code == 400
    assert "already invited" in again.json()["error"]["message"]
    resent = client.post(f"/api/invitations/{invitation['id']}/resend")
    assert resent.status_code == 200
    assert len(mail.outbox) == 2
    assert client.delete(f"/api/invitations/{invitation['id']}").status_code == 204
    assert client.get("/api/people/invitations").json() == []


def test_an_admin_edits_a_person_and_a_stale_edit_answers_409(admin_agent, colleague, team):
    client = api_client_for(admin_agent)
    seen = client.get(f"/api/people/{colleague.pk}").json()
    changed = client.patch(
        f"/api/people/{colleague.pk}",
        {"roles": ["manager"], "initials": "LHO", "version": seen["version"]},
        format="json",
    )
    assert changed.status_code == 200
    assert (changed.json()["roles"], changed.json()["initials"]) == (["manager"], "LHO")
    stale = client.patch(
        f"/api/people/{colleague.pk}", {"initials": "XX", "version": seen["version"]},
        format="json",
    )  # fmt: skip
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_version"


def test_bad_person_edits_are_400_with_the_field(admin_agent, colleague):
    client = api_client_for(admin_agent)
    for body, field in [
        ({"roles": ["owner"]}, "roles"),
        ({"team_ids": [987654]}, "team_ids"),
        ({"initials": "A B"}, "initials"),
        ({"version": -1}, "version"),
    ]:
        response = client.patch(f"/api/people/{colleague.pk}", body, format="json")
        assert response.status_code == 400, body
        assert field in response.json()["error"]["details"]["fields"], body


def test_the_last_admin_cannot_drop_their_role_over_the_api(admin_agent):
    client = api_client_for(admin_agent)
    response = client.patch(f"/api/people/{admin_agent.pk}", {"roles": ["agent"]}, format="json")
    assert response.status_code == 400
    assert "at least one active admin" in response.json()["error"]["message"]
    refused = client.post(f"/api/people/{admin_agent.pk}/deactivate")
    assert refused.status_code == 400


def test_deactivate_and_reactivate_over_the_api_are_audited(admin_agent, colleague):
    client = api_client_for(admin_agent)
    assert client.post(f"/api/people/{colleague.pk}/deactivate").json()["is_active"] is False
    assert client.post(f"/api/people/{colleague.pk}/reactivate").json()["is_active"] is True
    actions = AuditEntry.objects.filter(object_id=str(colleague.pk), object_type="person")
    assert sorted(actions.values_list("action", flat=True)) == [
        AuditAction.PERSON_DEACTIVATED, AuditAction.PERSON_REACTIVATED
    ]  # fmt: skip


def test_an_admin_sees_every_team_and_person(admin_agent, colleague, outsider):
    AgentFactory(public_name="Zara Zed")
    names = {p["public_name"] for p in api_client_for(admin_agent).get("/api/people").json()}
    assert {"Ada Admin", "Lars Holm", "Ole Told", "Zara Zed"} <= names


def test_a_mail_server_that_is_down_answers_503_and_the_invitation_waits(admin_agent, settings):
    settings.EMAIL_BACKEND = "tests.inbox.refusing_mail.EmailBackend"
    response = api_client_for(admin_agent).post(
        "/api/people/invitations",
        {"email": "karen@example.dk", "public_name": "Karen", "initials": "KL"},
        format="json",
    )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
    assert Invitation.objects.get().email == "karen@example.dk"
