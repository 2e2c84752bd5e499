"""People administration: roles, teams and names set by admins, deactivation, the last admin,
two admins at once, the first superuser's profile; every change audited."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection

from inbox.exceptions import InboxError, InvalidInput, PermissionDenied, StaleVersion
from inbox.models import Agent, AuditAction, AuditEntry, Message
from inbox.permissions.roles import Role, role_of, roles_set
from inbox.services import reply_create
from inbox.services.people import (
    agent_profile_ensure_for_superuser,
    person_deactivate,
    person_reactivate,
    person_update,
)
from inbox.services.teams import team_create, team_rename
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def test_an_admin_sets_roles_teams_and_names_and_it_is_audited(admin_agent, agent, other_team):
    changed = person_update(
        user=admin_agent.user, agent_id=agent.pk, roles=["manager"],
        team_ids=[other_team.pk], public_name=" Mette  Holm ", initials="MH", version=0,
    )  # fmt: skip
    assert (changed.public_name, changed.initials, changed.version) == ("Mette Holm", "MH", 1)
    assert list(changed.teams.all()) == [other_team]
    user = User.objects.get(pk=agent.user_id)
    assert role_of(user) == Role.MANAGER
    entry = AuditEntry.objects.get(action=AuditAction.PERSON_CHANGED)
    assert entry.actor == admin_agent
    assert entry.object_id == str(agent.pk)
    assert entry.details["changes"]["roles"] == [["agent"], ["manager"]]
    assert entry.details["changes"]["public_name"] == ["Mette Jensen", "Mette Holm"]


def test_an_edit_from_an_older_snapshot_is_refused(admin_agent, agent):
    person_update(user=admin_agent.user, agent_id=agent.pk, initials="MJJ", version=0)
    with pytest.raises(StaleVersion):
        person_update(user=admin_agent.user, agent_id=agent.pk, initials="ME", version=0)
    assert Agent.objects.get(pk=agent.pk).initials == "MJJ"


def test_agents_and_managers_cannot_change_people_or_teams(agent, manager, colleague, team):
    for person in (agent, manager):
        with pytest.raises(PermissionDenied):
            person_update(user=person.user, agent_id=colleague.pk, roles=["admin"])
        with pytest.raises(PermissionDenied):
            person_deactivate(user=person.user, agent_id=colleague.pk)
        with pytest.raises(PermissionDenied):
            team_create(user=person.user, name="Skat")
        with pytest.raises(PermissionDenied):
            team_rename(user=person.user, team_id=team.pk, name="Skat")
    assert role_of(User.objects.get(pk=colleague.user_id)) == Role.AGENT


def test_the_last_admin_cannot_drop_their_admin_role_or_deactivate_themselves(admin_agent):
    with pytest.raises(InvalidInput, match="at least one active admin"):
        person_update(user=admin_agent.user, agent_id=admin_agent.pk, roles=["manager"])
    with pytest.raises(InvalidInput, match="at least one active admin"):
        person_deactivate(user=admin_agent.user, agent_id=admin_agent.pk)
    admin = User.objects.get(pk=admin_agent.user_id)
    assert admin.is_active
    assert role_of(admin) == Role.ADMIN
    assert not AuditEntry.objects.filter(object_type="person").exists()


def test_with_a_second_admin_an_admin_may_step_down(admin_agent):
    AgentFactory(public_name="Bo Admin", role=Role.ADMIN)
    person_update(user=admin_agent.user, agent_id=admin_agent.pk, roles=["manager"])
    assert role_of(User.objects.get(pk=admin_agent.user_id)) == Role.MANAGER


def test_a_deactivated_persons_replies_keep_their_name_and_signature(
    admin_agent, agent, conversation
):
    reply_create(user=agent.user, conversation_id=conversation.pk, body="Hej, vi ser på det")
    person_deactivate(user=admin_agent.user, agent_id=agent.pk)
    reply = Message.objects.get(author_agent=agent)
    assert reply.author_agent.public_name == "Mette Jensen"
    assert "Mette" in reply.signature
    assert not User.objects.get(pk=agent.user_id).is_active
    person_reactivate(user=admin_agent.user, agent_id=agent.pk)
    assert User.objects.get(pk=agent.user_id).is_active
    actions = AuditEntry.objects.filter(object_type="person").values_list("action", flat=True)
    assert sorted(actions) == [AuditAction.PERSON_DEACTIVATED, AuditAction.PERSON_REACTIVATED]


def test_teams_are_created_and_renamed_with_unique_names(admin_agent, team):
    created = team_create(user=admin_agent.user, name="  Skat   og told ")
    assert created.name == "Skat og told"
    with pytest.raises(InvalidInput, match="already a team") as duplicate:
        team_create(user=admin_agent.user, name="skat OG told")
    assert duplicate.value.details["field"] == "name"
    with pytest.raises(InvalidInput, match="needs a name"):
        team_rename(user=admin_agent.user, team_id=created.pk, name=" ")
    with pytest.raises(InvalidInput, match="already a team"):
        team_rename(user=admin_agent.user, team_id=created.pk, name=team.name)
    team_rename(user=admin_agent.user, team_id=created.pk, name="Told")
    entries = AuditEntry.objects.filter(object_type="team").order_by("pk")
    assert [(e.action, e.details) for e in entries] == [
        (AuditAction.TEAM_CREATED, {"name": "Skat og told"}),
        (AuditAction.TEAM_RENAMED, {"from": "Skat og told", "to": "Told"}),
    ]


def test_a_superuser_without_a_profile_gets_one_as_admin(db):
    root = User.objects.create_superuser("root", "root@example.dk", "a long passphrase 99")
    agent = agent_profile_ensure_for_superuser(user=root, public_name="Rikke Root", initials="RR")
    assert agent.user == root
    assert list(root.groups.values_list("name", flat=True)) == ["admin"]
    again = agent_profile_ensure_for_superuser(user=root, public_name="Other", initials="O")
    assert again.pk == agent.pk
    assert again.public_name == "Rikke Root"
    assert AuditEntry.objects.get().action == AuditAction.PROFILE_CREATED


def test_an_ordinary_user_cannot_make_themselves_a_profile(db):
    plain = User.objects.create_user("plain", "plain@example.dk", "a long passphrase 99")
    with pytest.raises(PermissionDenied):
        agent_profile_ensure_for_superuser(user=plain, public_name="P", initials="P")
    assert not Agent.objects.exists()


# --- two admins at once: two threads, each with its own database connection -------------------


def _at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls together (released by one barrier); each result or the error raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = calls[index]()
        except InboxError as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_admins_editing_one_person_at_once_one_wins_the_other_is_told(team):
    ada = AgentFactory(public_name="Ada Admin", role=Role.ADMIN)
    bo = AgentFactory(public_name="Bo Admin", role=Role.ADMIN)
    person = AgentFactory(public_name="Mette Jensen", initials="MJ", teams=[team])
    results = _at_once(
        lambda: person_update(user=ada.user, agent_id=person.pk, initials="AA", version=0),
        lambda: person_update(user=bo.user, agent_id=person.pk, initials="BB", version=0),
    )
    winners = [r for r in results if isinstance(r, Agent)]
    losers = [r for r in results if isinstance(r, StaleVersion)]
    assert len(winners) == 1
    assert len(losers) == 1
    stored = Agent.objects.get(pk=person.pk)
    assert (stored.initials, stored.version) == (winners[0].initials, 1)
    assert AuditEntry.objects.filter(action=AuditAction.PERSON_CHANGED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leave_one_admin():
    ada = AgentFactory(public_name="Ada Admin", role=Role.ADMIN)
    bo = AgentFactory(public_name="Bo Admin", role=Role.ADMIN)
    for _ in range(5):  # a race: several rounds, each starting from two admins
        for person in (ada, bo):
            roles_set(person.user, [Role.ADMIN])
        results = _at_once(
            lambda: person_update(user=User.objects.get(pk=ada.user_id), agent_id=bo.pk,
                                  roles=["agent"]),
            lambda: person_update(user=User.objects.get(pk=bo.user_id), agent_id=ada.pk,
                                  roles=["agent"]),
        )  # fmt: skip
        refused = [r for r in results if isinstance(r, InboxError)]
        assert len(refused) == 1, results
        admins = [u for u in User.objects.all() if role_of(u) == Role.ADMIN]
        assert len(admins) == 1
