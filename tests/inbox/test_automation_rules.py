"""Automation rules (issue #17): conditions on a new conversation or a customer's message lead
to actions, run in bulk in ingest; a rule that fails is logged and skipped."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inbox.automation.language import language_of
from inbox.models import AuditEntry, AutomationRule, Conversation, Team
from inbox.services import messages_ingest
from inbox.services.automation import automation_rule_create
from tests.conftest import api_client_for
from tests.factories import AgentFactory, ChannelAccountFactory, TeamFactory, inbound

pytestmark = pytest.mark.django_db


def rule(team, actions, conditions=None, trigger="customer_writes", **fields):
    return AutomationRule.objects.create(
        team=team, name=fields.pop("name", "r"), trigger=trigger,
        conditions=conditions or {}, actions=actions, **fields,
    )  # fmt: skip


def ingest(account, *messages):
    messages_ingest(account_id=account.pk, messages=list(messages))


def the(account, thread="t1"):
    return Conversation.objects.get(account=account, external_thread_id=thread)


def tags(conversation):
    return sorted(conversation.tags.values_list("name", flat=True))


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hvornår kommer min årsopgørelse?", "da"),
        ("När kommer min deklaration?", "sv"),
        ("Når kommer skattemeldingen min?", "nb"),
        ("When will my tax return arrive?", "en"),
        ("Jag har inte fått min lön", "sv"),
        ("Jeg har ikke fått lønnen min", "nb"),
        ("Jeg har ikke fået min løn", "da"),
        ("123 !!!", None),
    ],
)
def test_the_language_is_told_apart_on_short_texts(text, language):
    assert language_of(text) == language


def test_a_matching_rule_tags_prioritises_and_assigns(team, x_account, agent):
    rule(
        team,
        {"tags": ["Faktura"], "priority": "high", "agent_id": agent.pk},
        {"words": ["faktura"], "platforms": ["x"], "kinds": ["public"]},
    )
    ingest(x_account, inbound(thread="t1", body="Min FAKTURA er forkert"))
    ingest(x_account, inbound(thread="t2", body="Hej med jer", author="c2"))

    first, other = the(x_account), the(x_account, "t2")
    assert (first.priority, first.assignee_id, tags(first)) == ("high", agent.pk, ["faktura"])
    assert (other.priority, other.assignee_id, tags(other)) == ("normal", None, [])


def test_language_condition_routes_to_another_team(team, x_account):
    nordic = TeamFactory(name="Sverige")
    rule(team, {"team_id": nordic.pk}, {"languages": ["sv"]})
    ingest(x_account, inbound(thread="t1", body="Hej, när kommer min deklaration?"))
    ingest(x_account, inbound(thread="t2", body="Hej, hvornår kommer min opgørelse?", author="c2"))
    assert the(x_account).team_id == nordic.pk
    assert the(x_account, "t2").team_id == team.pk


def test_created_trigger_runs_once_customer_writes_every_time(team, x_account):
    rule(team, {"tags": ["ny"]}, trigger="created")
    rule(team, {"priority": "urgent"}, {"words": ["haster"]})
    ingest(x_account, inbound(thread="t1", body="Hej"))
    conversation = the(x_account)
    conversation.tags.clear()
    ingest(x_account, inbound(thread="t1", body="Det haster!"))
    conversation = the(x_account)
    assert tags(conversation) == []  # not created by this batch
    assert conversation.priority == "urgent"


def test_a_snooze_action_snoozes_the_conversation(team, x_account):
    rule(team, {"snooze_minutes": 60}, {"words": ["tak"]})
    ingest(x_account, inbound(thread="t1", body="Tak for hjælpen"))
    conversation = the(x_account)
    assert conversation.status == "snoozed"
    assert conversation.snoozed_until is not None


def test_customer_and_account_conditions(team, x_account):
    other_account = ChannelAccountFactory(team=team)
    rule(team, {"priority": "low"}, {"account_ids": [other_account.pk]})
    ingest(x_account, inbound(thread="t1"))
    ingest(other_account, inbound(thread="t9", author="c9"))
    assert the(x_account).priority == "normal"
    assert the(other_account, "t9").priority == "low"


def test_a_rule_whose_team_was_deleted_is_logged_and_skipped(team, x_account, caplog):
    doomed = TeamFactory(name="Lukket")
    rule(team, {"team_id": doomed.pk}, name="to the closed team", position=0)
    rule(team, {"tags": ["set"]}, name="still runs", position=1)
    Team.objects.filter(pk=doomed.pk).delete()

    with caplog.at_level(logging.ERROR, logger="inbox.automation"):
        ingest(x_account, inbound(thread="t1"))

    conversation = the(x_account)
    assert conversation.team_id == team.pk
    assert tags(conversation) == ["set"]
    assert "failed on conversation" in caplog.text
    assert f"team {doomed.pk} does not exist" in caplog.text


def test_a_rule_naming_an_agent_deactivated_later_is_skipped(team, x_account, agent):
    rule(team, {"agent_id": agent.pk, "priority": "high"})
    agent.user.is_active = False
    agent.user.save()
    ingest(x_account, inbound(thread="t1"))
    conversation = the(x_account)
    assert (conversation.assignee_id, conversation.priority) == (None, "normal")  # all or none


def test_rules_are_read_once_per_batch_not_per_message(team, x_account, agent):
    for n in range(20):
        rule(team, {"tags": [f"t{n}"], "agent_id": agent.pk}, {"words": [f"ord{n}"]})

    def queries(prefix, n):
        with CaptureQueriesContext(connection) as captured:
            ingest(x_account, *[inbound(thread=f"{prefix}{i}", author=f"{prefix}{i}",
                                        body=f"ord{i % 20} hej") for i in range(n)])  # fmt: skip
        return len(captured)

    assert queries("a", 5) == queries("b", 50)


def test_the_rules_api_for_managers(team, manager, agent):
    api = api_client_for(manager)
    body = {"name": "Fakturaer", "trigger": "customer_writes",
            "conditions": {"words": ["faktura"]}, "actions": {"tags": ["faktura"]}}  # fmt: skip
    created = api.post(f"/api/teams/{team.pk}/automation-rules", body, format="json")
    assert created.status_code == 201
    rule_id = created.json()["id"]
    assert [r["id"] for r in api.get(f"/api/teams/{team.pk}/automation-rules").json()] == [rule_id]
    changed = api.put(f"/api/automation-rules/{rule_id}", {**body, "enabled": False}, format="json")
    assert changed.json()["enabled"] is False
    assert api.delete(f"/api/automation-rules/{rule_id}").status_code == 204
    assert AuditEntry.objects.filter(action="team.automation_rule_changed").count() == 3
    refused = api_client_for(agent).post(
        f"/api/teams/{team.pk}/automation-rules", body, format="json"
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("actions", "conditions", "field"),
    [
        ({"team_id": 999_999}, {}, "team_id"),
        ({}, {}, "actions"),
        ({"priority": "max"}, {}, "priority"),
        ({"snooze_minutes": 0}, {}, "snooze_minutes"),
        ({"tags": ["x"]}, {"languages": ["de"]}, "languages"),
        ({"tags": ["x"]}, {"colour": ["red"]}, "conditions"),
    ],
)
def test_bad_rules_are_refused(team, manager, actions, conditions, field):
    from inbox.exceptions import InvalidInput

    body = {"name": "r", "trigger": "created", "conditions": conditions, "actions": actions}
    with pytest.raises(InvalidInput) as refused:
        automation_rule_create(user=manager.user, team_id=team.pk, body=body)
    assert refused.value.details["field"] == field


def test_an_agent_of_another_team_cannot_be_named(team, manager, outsider):
    from inbox.exceptions import InvalidInput

    body = {"name": "r", "trigger": "created", "actions": {"agent_id": outsider.pk}}
    with pytest.raises(InvalidInput):
        automation_rule_create(user=manager.user, team_id=team.pk, body=body)
    AgentFactory(teams=[team])  # any member of the team would do
