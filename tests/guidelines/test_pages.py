"""The guideline page (everyone reads, managers edit), the guidelines beside the composer, and
the approval queue page (approvers)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from inbox.models import AuditEntry, GuidelineRule
from inbox.services.guidelines import guideline_text_set

pytestmark = pytest.mark.django_db


def client_for(agent) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=agent.user_id))  # the stored password's hash
    return client


def test_the_guidelines_are_shown_beside_the_composer_and_on_their_own_page(
    agent, manager, team, conversation
):
    guideline_text_set(user=manager.user, team_id=team.pk, text="Vær **venlig** <b>x</b>")
    page = client_for(agent).get("/guidelines/").content.decode()
    assert "<strong>venlig</strong>" in page
    assert "<b>x</b>" not in page  # raw HTML is not rendered
    assert 'id="rule-form"' not in page  # an agent reads, does not edit
    pane = client_for(agent).get(f"/conversations/{conversation.pk}/pane").content.decode()
    assert 'id="guidelines"' in pane
    assert "<strong>venlig</strong>" in pane
    assert 'id="verdict"' in pane


def test_a_manager_adds_a_rule_on_the_page(manager, team):
    client = client_for(manager)
    response = client.post(
        "/guidelines/",
        {"form": "add_rule", "name": "Interne", "kind": "words", "action": "block",
         "words": "Ørnen\nprojekt Falk"},
    )  # fmt: skip
    assert response.status_code == 302
    rule = GuidelineRule.objects.get(name="Interne")
    assert rule.words == ["Ørnen", "projekt Falk"]
    assert AuditEntry.objects.filter(action="guideline.rule_created").exists()


def test_an_invalid_pattern_on_the_page_is_refused_with_the_reason(manager, team):
    response = client_for(manager).post(
        "/guidelines/",
        {"form": "add_rule", "name": "Sag", "kind": "pattern", "action": "warn", "pattern": "[a"},
        follow=True,
    )
    assert "This regular expression is not valid" in response.content.decode()
    assert not GuidelineRule.objects.filter(name="Sag").exists()


def test_an_agent_posting_the_managers_form_is_refused(agent, team):
    response = client_for(agent).post("/guidelines/", {"form": "text", "text": "Mine egne regler"})
    assert response.status_code == 403


def test_the_approval_page_is_for_approvers(agent, manager):
    assert client_for(agent).get("/approvals/").status_code == 403
    page = client_for(manager).get("/approvals/")
    assert page.status_code == 200
    assert "Nothing is waiting." in page.content.decode()
