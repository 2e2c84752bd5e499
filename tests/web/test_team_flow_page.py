"""The team-flow page (issue #17): managers set automatic assignment and automation rules."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from inbox.models import AutomationRule, TeamAssignment

pytestmark = pytest.mark.django_db


def signed_in(agent) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=agent.user.pk))  # the stored password's hash
    return client


def test_a_manager_turns_on_assignment_and_adds_a_rule(team, manager, agent):
    client = signed_in(manager)
    page = client.get(f"/team-flow/?team={team.pk}")
    assert page.status_code == 200
    assert "Automatic assignment" in page.content.decode()

    client.post(f"/team-flow/?team={team.pk}", {
        "form": "assignment", "enabled": "on", "strategy": "least_loaded", "capacity": "3",
        "offline_release_minutes": "20",
    })  # fmt: skip
    client.post(f"/team-flow/?team={team.pk}", {
        "form": "add_rule", "name": "Svenske", "trigger": "customer_writes",
        "languages": ["sv"], "tags": "svensk", "agent_id": str(agent.pk),
    })  # fmt: skip

    settings = TeamAssignment.objects.get(team=team)
    assert (settings.enabled, settings.strategy, settings.capacity) == (True, "least_loaded", 3)
    rule = AutomationRule.objects.get(team=team)
    assert rule.conditions == {"languages": ["sv"]}
    assert rule.actions == {"tags": ["svensk"], "agent_id": agent.pk}
    assert "Svenske" in client.get(f"/team-flow/?team={team.pk}").content.decode()


def test_a_bad_rule_is_explained_not_saved(team, manager):
    client = signed_in(manager)
    answer = client.post(
        f"/team-flow/?team={team.pk}",
        {"form": "add_rule", "name": "Tom", "trigger": "created"},
        follow=True,
    )
    assert "A rule needs at least one action." in answer.content.decode()
    assert not AutomationRule.objects.exists()


def test_the_page_is_in_danish_for_a_danish_manager(team, manager):
    manager.language = "da"
    manager.save()
    page = signed_in(manager).get(f"/team-flow/?team={team.pk}", HTTP_ACCEPT_LANGUAGE="da")
    assert "Automatisk tildeling" in page.content.decode()


def test_an_agent_is_refused(team, agent):
    assert signed_in(agent).get(f"/team-flow/?team={team.pk}").status_code == 403


def test_a_rule_can_be_limited_to_instagram_and_email(team, manager):
    client = signed_in(manager)
    page = client.get(f"/team-flow/?team={team.pk}").content.decode()
    for platform in ("x", "facebook", "instagram", "email"):
        assert f'name="platforms" value="{platform}"' in page

    client.post(f"/team-flow/?team={team.pk}", {
        "form": "add_rule", "name": "Billeder og breve", "trigger": "created",
        "platforms": ["instagram", "email"], "tags": "kanal",
    })  # fmt: skip

    rule = AutomationRule.objects.get(team=team)
    assert rule.conditions == {"platforms": ["instagram", "email"]}
