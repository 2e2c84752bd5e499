"""Retention policies through the API and the settings page; legal hold (issue #19)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from inbox.exceptions import InvalidInput
from inbox.models import AuditAction, AuditEntry, Conversation, RetentionPolicy
from inbox.permissions.roles import Role
from inbox.retention.services import retention_policy_set
from tests.conftest import api_client_for
from tests.factories import AgentFactory, ChannelAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(team):
    return AgentFactory(public_name="Ada Admin", teams=[team], role=Role.ADMIN)


@pytest.mark.parametrize("days", [0, -1, "", None, True])
def test_a_retention_of_zero_days_is_refused_with_a_clear_400(admin, team, days):
    response = api_client_for(admin).put(
        f"/api/teams/{team.pk}/retention", {"days": days, "action": "delete"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert not RetentionPolicy.objects.exists()


def test_the_service_refuses_zero_days_in_its_own_words(admin, team):
    with pytest.raises(InvalidInput, match="between 1 and"):
        retention_policy_set(user=admin.user, team_id=team.pk, account_id=None, days=0,
                             action="delete")  # fmt: skip


def test_an_admin_sets_the_team_and_an_account_policy(admin, team, x_account):
    client = api_client_for(admin)
    body = client.put(f"/api/teams/{team.pk}/retention", {"days": 90, "action": "delete"},
                      format="json").json()  # fmt: skip
    assert body["team"] == {"days": 90, "action": "delete"}
    assert body["accounts"][0]["in_force"] == {"days": 90, "action": "delete"}
    url = f"/api/teams/{team.pk}/accounts/{x_account.pk}/retention"
    body = client.put(url, {"days": 30, "action": "anonymise"}, format="json").json()
    assert body["accounts"][0]["own"] == {"days": 30, "action": "anonymise"}
    assert set(body["dry_run"]) == {"conversations", "messages", "notes", "media_files",
                                    "media_bytes", "contacts", "held", "policies"}  # fmt: skip
    assert [p["account"] for p in body["dry_run"]["policies"]] == [None, x_account.pk]
    body = client.delete(url).json()
    assert body["accounts"][0]["in_force"] == {"days": 90, "action": "delete"}
    assert AuditEntry.objects.filter(action=AuditAction.RETENTION_SET).count() == 3


def test_managers_read_the_policies_but_may_not_change_them(manager, team):
    client = api_client_for(manager)
    assert client.get(f"/api/teams/{team.pk}/retention").status_code == 200
    response = client.put(f"/api/teams/{team.pk}/retention", {"days": 9, "action": "delete"},
                          format="json")  # fmt: skip
    assert response.status_code == 403


def test_an_account_of_another_team_is_refused(admin, team, other_team):
    foreign = ChannelAccountFactory(team=other_team)
    response = api_client_for(admin).put(
        f"/api/teams/{team.pk}/accounts/{foreign.pk}/retention",
        {"days": 9, "action": "delete"}, format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert not RetentionPolicy.objects.exists()


def test_a_manager_puts_a_conversation_on_legal_hold_and_an_agent_may_not(
    manager, agent, conversation
):
    url = f"/api/conversations/{conversation.pk}/legal-hold"
    assert api_client_for(agent).put(url, {"held": True}, format="json").status_code == 403
    response = api_client_for(manager).put(url, {"held": True}, format="json")
    assert response.json() == {"held": True}
    assert Conversation.objects.get().legal_hold
    assert AuditEntry.objects.get(action=AuditAction.LEGAL_HOLD_SET).details == {"held": True}


def test_a_manager_of_another_team_cannot_see_or_change_the_hold(other_team, conversation):
    outsider = AgentFactory(teams=[other_team], role=Role.MANAGER)
    url = f"/api/conversations/{conversation.pk}/legal-hold"
    assert api_client_for(outsider).put(url, {"held": True}, format="json").status_code == 404
    assert not Conversation.objects.get().legal_hold


def _browser(agent) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=agent.user_id))  # the stored password's hash
    return client


def test_the_settings_page_saves_a_policy_and_shows_the_dry_run(admin, team):
    client = _browser(admin)
    page = client.get(f"/teams/{team.pk}/retention")
    assert page.status_code == 200
    assert b'id="dry-run"' in page.content
    refused = client.post(f"/teams/{team.pk}/retention", {"days": "0", "action": "delete"})
    assert refused.status_code == 400
    assert b"between 1 and" in refused.content
    saved = client.post(f"/teams/{team.pk}/retention", {"days": "120", "action": "anonymise"})
    assert saved.status_code == 302
    assert RetentionPolicy.objects.get(team=team).days == 120
    admin.language = "sv"
    admin.save()
    assert "120 dagar, därefter anonymisera" in client.get(f"/teams/{team.pk}/retention").text


def test_the_conversation_view_offers_legal_hold_to_managers_only(manager, agent, conversation):
    pane = f"/conversations/{conversation.pk}/pane"
    assert b'data-action="legal-hold"' in _browser(manager).get(pane).content
    assert b'data-action="legal-hold"' not in _browser(agent).get(pane).content
    response = _browser(manager).post(
        f"/conversations/{conversation.pk}/legal-hold", {"held": "true"}
    )
    assert response.status_code == 302
    assert Conversation.objects.get().legal_hold
