"""Automatic assignment per team (issue #17): off by default; round robin or least loaded; only
online agents, within business hours, never over capacity; agents gone offline release their
conversations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from inbox.metrics.services import business_schedule_set
from inbox.models import AuditEntry, Conversation, TeamAssignment
from inbox.services import conversation_assign, messages_ingest
from inbox.services.auto_assign import auto_assign_team
from inbox.services.presence import agent_presence_seen
from tests.conftest import api_client_for
from tests.factories import AgentFactory, inbound

pytestmark = pytest.mark.django_db


def customers(account, n, prefix="c"):
    messages_ingest(
        account_id=account.pk,
        messages=[inbound(thread=f"{prefix}{i}", author=f"{prefix}{i}") for i in range(n)],
    )


def turn_on(team, **settings):
    return TeamAssignment.objects.create(team=team, enabled=True, **settings)


def owners(team):
    return sorted(
        Conversation.objects.filter(team=team).values_list("assignee_id", flat=True),
        key=lambda v: (v is None, v or 0),
    )


def online(*agents, at=None):
    for agent in agents:
        agent_presence_seen(agent_id=agent.pk, at=at)


def test_off_by_default_nothing_is_assigned(team, x_account, agent):
    online(agent)
    customers(x_account, 2)
    assert auto_assign_team(team.pk).assigned == 0
    assert owners(team) == [None, None]


def test_round_robin_takes_turns_among_online_agents(team, x_account, agent, colleague):
    turn_on(team, capacity=10)
    online(agent, colleague)
    customers(x_account, 4)

    assert auto_assign_team(team.pk).assigned == 4
    assert owners(team) == sorted([agent.pk, colleague.pk] * 2)


def test_least_loaded_fills_the_emptier_agent_first(team, x_account, agent, colleague):
    turn_on(team, strategy="least_loaded", capacity=10)
    customers(x_account, 3, prefix="old")
    for c in Conversation.objects.all():
        conversation_assign(user=agent.user, conversation_id=c.pk, assignee_id=agent.pk)
    online(agent, colleague)
    customers(x_account, 4, prefix="new")

    auto_assign_team(team.pk)
    loads = {a.pk: Conversation.objects.filter(assignee=a).count() for a in (agent, colleague)}
    assert loads == {agent.pk: 4, colleague.pk: 3}


def test_never_over_capacity(team, x_account, agent, colleague):
    turn_on(team, capacity=2)
    online(agent, colleague)
    customers(x_account, 7)

    assert auto_assign_team(team.pk).assigned == 4
    assert owners(team) == [agent.pk, agent.pk, colleague.pk, colleague.pk, None, None, None]
    assert auto_assign_team(team.pk).assigned == 0  # still full


def test_an_agent_who_just_went_offline_is_not_given_conversations(
    team, x_account, agent, colleague
):
    turn_on(team, capacity=10)
    online(agent)
    online(colleague, at=timezone.now() - timedelta(seconds=76))  # closed the tab just now
    customers(x_account, 3)

    auto_assign_team(team.pk)
    assert owners(team) == [agent.pk] * 3


def test_nobody_online_leaves_the_pool_as_it_is(team, x_account, agent):
    turn_on(team)
    customers(x_account, 2)
    assert auto_assign_team(team.pk).assigned == 0


def test_outside_business_hours_nothing_is_assigned(team, x_account, agent, manager):
    turn_on(team)
    business_schedule_set(
        user=manager.user, team_id=team.pk, time_zone="UTC", weekly={"1": [["09:00", "17:00"]]}
    )
    customers(x_account, 1)
    monday_night = datetime(2026, 3, 2, 22, 0, tzinfo=UTC)
    monday_noon = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    online(agent, at=monday_night)
    assert auto_assign_team(team.pk, now=monday_night).assigned == 0
    online(agent, at=monday_noon)
    assert auto_assign_team(team.pk, now=monday_noon).assigned == 1


def test_an_agent_offline_longer_than_the_release_time_returns_their_conversations(
    team, x_account, agent, colleague, published
):
    turn_on(team, capacity=10, offline_release_minutes=15)
    now = timezone.now()
    online(agent, colleague, at=now - timedelta(minutes=20))
    customers(x_account, 2)
    for c in Conversation.objects.all():
        conversation_assign(user=agent.user, conversation_id=c.pk, assignee_id=agent.pk)
    online(colleague, at=now)
    published.clear()

    result = auto_assign_team(team.pk, now=now)

    assert (result.released, result.assigned) == (2, 2)
    assert owners(team) == [colleague.pk, colleague.pk]
    kinds = [e["kind"] for e in published]
    assert kinds == ["conversation.assigned"] * 4
    assert published[0]["previous_assignee"]["id"] == agent.pk


def test_an_agent_never_seen_online_keeps_what_a_person_gave_them(team, conversation, agent):
    turn_on(team, offline_release_minutes=1)
    conversation_assign(user=agent.user, conversation_id=conversation.pk, assignee_id=agent.pk)
    assert auto_assign_team(team.pk).released == 0


def test_an_agent_in_two_teams_is_counted_once_against_capacity(team, other_team, x_account, agent):
    from tests.factories import ChannelAccountFactory

    agent.teams.add(other_team)
    other_account = ChannelAccountFactory(team=other_team)
    turn_on(team, capacity=2)
    turn_on(other_team, capacity=2)
    online(agent)
    customers(x_account, 2, prefix="a")
    customers(other_account, 2, prefix="b")

    auto_assign_team(team.pk)
    auto_assign_team(other_team.pk)
    assert Conversation.objects.filter(assignee=agent).count() == 2


def test_ingest_queues_a_pass_for_a_team_that_uses_it(team, x_account, clean_queues, published):
    import django_rq

    turn_on(team)
    customers(x_account, 1)
    assert django_rq.get_queue("default").job_ids == [f"auto-assign-{team.pk}"]


# --- the settings API -----------------------------------------------------------------------


SETTINGS = {"enabled": True, "strategy": "least_loaded", "capacity": 3,
            "offline_release_minutes": 30}  # fmt: skip


def test_a_manager_turns_it_on_and_it_is_audited(team, manager):
    api = api_client_for(manager)
    assert api.get(f"/api/teams/{team.pk}/assignment").json()["enabled"] is False

    response = api.put(f"/api/teams/{team.pk}/assignment", SETTINGS, format="json")

    assert response.status_code == 200
    assert response.json() == {"team_id": team.pk, **SETTINGS}
    assert TeamAssignment.objects.get(team=team).capacity == 3
    assert AuditEntry.objects.filter(action="team.assignment_changed").count() == 1


@pytest.mark.parametrize(
    "change", [{"capacity": 0}, {"strategy": "random"}, {"offline_release_minutes": 0}]
)
def test_bad_settings_are_refused(team, manager, change):
    response = api_client_for(manager).put(
        f"/api/teams/{team.pk}/assignment", {**SETTINGS, **change}, format="json"
    )
    assert response.status_code == 400
    assert not TeamAssignment.objects.exists()


def test_an_agent_may_not_change_it(team, agent):
    response = api_client_for(agent).put(
        f"/api/teams/{team.pk}/assignment", SETTINGS, format="json"
    )
    assert response.status_code == 403


def test_a_manager_of_another_team_cannot_see_or_change_it(team, other_team):
    from inbox.permissions.roles import Role

    stranger = AgentFactory(teams=[other_team], role=Role.MANAGER)
    api = api_client_for(stranger)
    assert api.get(f"/api/teams/{team.pk}/assignment").status_code == 404
    assert api.put(f"/api/teams/{team.pk}/assignment", SETTINGS, format="json").status_code == 404
