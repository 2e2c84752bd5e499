"""Managers write the team's guidelines and rules; agents read them; every change is audited; a
rule that cannot run is refused when saved, with the reason."""

from __future__ import annotations

import pytest

from inbox.models import AuditEntry, GuidelineRule
from inbox.permissions.roles import Role
from tests.conftest import api_client_for
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def add_rule(client, team, **data):
    return client.post(f"/api/teams/{team.pk}/rules", data, format="json")


def test_a_team_without_guidelines_shows_the_default_personal_data_rules(api, team):
    data = api.get(f"/api/teams/{team.pk}/guidelines").json()
    assert data["own_rules"] is False
    assert [(r["name"], r["action"]) for r in data["rules"]] == [
        ("National identity numbers", "block"),
        ("E-mail addresses and phone numbers", "warn"),
    ]


def test_a_manager_adds_a_rule_keeping_the_defaults_and_it_is_audited(manager, team):
    client = api_client_for(manager)
    response = add_rule(
        client, team, name="Interne navne", kind="words", action="approval", words=["Ørnen"]
    )
    assert response.status_code == 201, response.json()
    rules = client.get(f"/api/teams/{team.pk}/guidelines").json()["rules"]
    assert [r["name"] for r in rules] == [
        "National identity numbers",
        "E-mail addresses and phone numbers",
        "Interne navne",
    ]
    entry = AuditEntry.objects.get(action="guideline.rule_created")
    assert entry.details["after"]["words"] == ["Ørnen"]
    assert entry.actor == manager


def test_a_manager_changes_and_removes_a_rule_with_before_and_after_on_record(manager, team):
    client = api_client_for(manager)
    rule_id = add_rule(client, team, name="Tag", kind="tag", action="warn", tag="Presse").json()[
        "id"
    ]
    changed = client.patch(f"/api/rules/{rule_id}", {"action": "block"}, format="json")
    assert changed.json()["action"] == "block"
    assert changed.json()["tag"] == "presse"
    entry = AuditEntry.objects.get(action="guideline.rule_changed")
    assert (entry.details["before"]["action"], entry.details["after"]["action"]) == (
        "warn",
        "block",
    )
    assert client.delete(f"/api/rules/{rule_id}").status_code == 204
    assert not GuidelineRule.objects.filter(pk=rule_id).exists()
    assert AuditEntry.objects.filter(action="guideline.rule_deleted").count() == 1


def test_an_invalid_regular_expression_is_refused_with_the_reason(manager, team):
    response = add_rule(
        api_client_for(manager), team, name="Sag", kind="pattern", action="warn", pattern="(sag"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["details"]["fields"]["pattern"]
    assert "missing )" in error["message"]
    assert not GuidelineRule.objects.filter(kind="pattern").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "words", "words": []}, "words"),
        ({"kind": "words", "words": ["   "]}, "words"),
        ({"kind": "links", "allowed_domains": ["not a domain"]}, "allowed_domains"),
        ({"kind": "tag", "tag": " "}, "tag"),
        ({"kind": "personal_data", "data_kinds": []}, "data_kinds"),
        ({"kind": "pattern", "pattern": ""}, "pattern"),
    ],
)
def test_a_rule_missing_what_its_kind_needs_is_refused(manager, team, data, field):
    response = add_rule(api_client_for(manager), team, name="R", action="warn", **data)
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]["fields"]


def test_allowed_domains_are_stored_as_dns_compares_them(manager, team):
    response = add_rule(
        api_client_for(manager),
        team,
        name="Links",
        kind="links",
        action="block",
        allowed_domains=["https://Blåbær.dk/", "skat.dk"],
    )
    assert response.json()["allowed_domains"] == ["xn--blbr-roah.dk", "skat.dk"]


def test_an_agent_reads_the_guidelines_but_may_not_change_them(api, team):
    assert api.get(f"/api/teams/{team.pk}/guidelines").status_code == 200
    response = add_rule(api, team, name="R", kind="words", action="warn", words=["x"])
    assert response.status_code == 403
    assert (
        api.put(f"/api/teams/{team.pk}/guidelines", {"text": "x"}, format="json").status_code == 403
    )


def test_another_teams_guidelines_and_rules_are_not_found(manager, team, other_team):
    client = api_client_for(manager)
    assert client.get(f"/api/teams/{other_team.pk}/guidelines").status_code == 404
    response = add_rule(client, other_team, name="R", kind="words", action="warn", words=["x"])
    assert response.status_code == 404
    rule_id = add_rule(client, team, name="R", kind="words", action="warn", words=["x"]).json()[
        "id"
    ]

    other_manager = api_client_for(AgentFactory(teams=[other_team], role=Role.MANAGER))
    assert (
        other_manager.patch(f"/api/rules/{rule_id}", {"action": "block"}, format="json").status_code
        == 404
    )
    assert other_manager.delete(f"/api/rules/{rule_id}").status_code == 404


def test_the_guideline_text_is_markdown_rendered_safely_and_audited(manager, team):
    client = api_client_for(manager)
    text = "# Tone\n\nVær **venlig**. <script>alert(1)</script> [x](javascript:alert(1))"
    data = client.put(f"/api/teams/{team.pk}/guidelines", {"text": text}, format="json").json()
    assert "<strong>venlig</strong>" in data["html"]
    assert "<script" not in data["html"]
    assert 'href="javascript' not in data["html"]
    assert AuditEntry.objects.get(action="guideline.changed").details["after"] == text


def test_a_manager_marks_a_new_agent_as_needing_approval(manager, team, colleague):
    client = api_client_for(manager)
    response = client.put(
        f"/api/teams/{team.pk}/agents/{colleague.pk}/approval",
        {"needs_approval": True, "may_approve": False},
        format="json",
    )
    assert response.status_code == 200
    colleague.refresh_from_db()
    assert colleague.needs_approval
    assert AuditEntry.objects.get(action="agent.approval_set").details["after"]["needs_approval"]
