"""The Teams and People pages: admins create and rename teams, invite people, change a person's
roles, teams and names, deactivate and reactivate them, send an invitation again or revoke it;
managers read; agents are refused. Every refusal a service makes is shown beside the field it
concerns, and every change lands in the audit log."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from inbox.models import Agent, AuditAction, AuditEntry, Invitation, Team
from inbox.permissions.roles import Role, role_names_of
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db
HOSTILE = '<script>alert("x")</script>'


def logged_in(agent: Agent) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=agent.user_id))
    return client


@pytest.fixture
def admin(admin_agent: Agent) -> Client:
    return logged_in(admin_agent)


def invite(admin: Client, team: Team, **overrides: object):
    form = {
        "email": "karen@example.dk", "public_name": "Karen Lund", "initials": "KL",
        "language": "da", "roles": ["agent"], "teams": [team.pk], **overrides,
    }  # fmt: skip
    return admin.post("/people/invite", form)


def alerts(response) -> list[str]:
    """The texts the page announces as errors (role="alert"), tags stripped."""
    html = response.content.decode()
    found = re.findall(r'role="alert">(.*?)</(?:p|div)>', html, flags=re.S)
    return [re.sub(r"<[^>]+>", "", text).strip() for text in found]


# --- who may see what ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/teams/", "/people/"])
def test_an_admin_sees_the_page_with_its_forms(admin, path, agent):
    response = admin.get(path)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'method="post"' in page or 'href="/people/invite"' in page
    assert 'aria-current="page"' in page  # the top bar marks where we are


def test_a_manager_reads_people_and_teams_but_has_no_forms(manager, agent, team):
    client = logged_in(manager)
    people = client.get("/people/").content.decode()
    assert "Mette Jensen" in people
    assert "/people/invite" not in people
    assert f"/people/{agent.pk}/" not in people
    teams = client.get("/teams/").content.decode()
    assert "Skat" in teams
    assert 'method="post"' not in teams.split("<main", 1)[1]


@pytest.mark.parametrize(
    ('method', 'path'),
    [
        ("post", "/teams/"), ("get", "/people/invite"), ("post", "/people/invite"),
        ("get", "/people/{agent}/"), ("post", "/people/{agent}/"),
        ("post", "/teams/{team}/rename"), ("get", "/people/{agent}/deactivate"),
        ("post", "/people/{agent}/deactivate"), ("post", "/people/{agent}/reactivate"),
    ],
)  # fmt: skip
def test_a_manager_changes_nothing(manager, agent, team, method, path):
    before = AuditEntry.objects.count()
    url = path.format(agent=agent.pk, team=team.pk)
    response = getattr(logged_in(manager), method)(url, {"name": "Ny", "public_name": "X"})
    assert response.status_code == 403
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("path", ["/teams/", "/people/", "/people/invite"])
def test_an_agent_is_refused(agent, path):
    response = logged_in(agent).get(path)
    assert response.status_code == 403
    assert "People" not in response.content.decode().split("<main", 1)[0]  # no link either


def test_the_pages_need_a_login(client):
    for path in ("/teams/", "/people/", "/people/invite"):
        assert client.get(path)["Location"].startswith("/login/")


# --- teams -------------------------------------------------------------------------------------


def test_an_admin_creates_and_renames_a_team(admin, admin_agent):
    response = admin.post("/teams/", {"name": "Kundeservice"})
    assert response.status_code == 302
    assert response["Location"] == "/teams/"
    team = Team.objects.get(name="Kundeservice")
    page = admin.get("/teams/").content.decode()
    assert "Team Kundeservice is created." in page
    response = admin.post(f"/teams/{team.pk}/rename", {"name": "Borgerservice"})
    assert response.status_code == 302
    assert Team.objects.get(pk=team.pk).name == "Borgerservice"
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == [AuditAction.TEAM_CREATED, AuditAction.TEAM_RENAMED]


def test_a_taken_team_name_is_refused_beside_the_field(admin, team, other_team):
    response = admin.post("/teams/", {"name": "Skat"})
    assert response.status_code == 400
    assert alerts(response) == ["There is already a team called &#x27;Skat&#x27;."]
    response = admin.post(f"/teams/{other_team.pk}/rename", {"name": "Skat"})
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_team{other_team.pk}_name"' in page
    assert len(alerts(response)) == 1
    assert Team.objects.get(pk=other_team.pk).name == "Told"


def test_an_empty_team_name_is_refused(admin):
    response = admin.post("/teams/", {"name": "  "})
    assert response.status_code == 400
    assert alerts(response)
    assert not Team.objects.exists()


def test_a_team_name_is_text(admin):
    admin.post("/teams/", {"name": HOSTILE})
    page = admin.get("/teams/").content.decode()
    assert HOSTILE not in page
    assert "&lt;script&gt;" in page


# --- invitations -------------------------------------------------------------------------------


def test_an_admin_invites_a_person_who_shows_as_invited(admin, team):
    response = invite(admin, team)
    assert response.status_code == 302
    assert response["Location"] == "/people/"
    [message] = mail.outbox
    assert message.to == ["karen@example.dk"]
    assert re.search(r"http://testserver/invitation/[\w-]+/", message.body)
    page = admin.get("/people/").content.decode()
    assert "An invitation is on its way to karen@example.dk." in page
    invitations = page.split('id="invitations"', 1)[1]
    assert "karen@example.dk" in invitations
    assert "Skat" in invitations
    assert AuditEntry.objects.filter(action=AuditAction.INVITATION_SENT).count() == 1


def test_an_address_that_already_has_an_account_is_refused_beside_the_field(admin, team):
    AgentFactory(user__username="karen", user__email="karen@example.dk")
    response = invite(admin, team)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is already an account for karen@example.dk." in alerts(response)
    email_field = page.index('name="email"')
    assert page.index("There is already an account", email_field) > email_field
    assert not Invitation.objects.exists()
    assert not mail.outbox


@pytest.mark.parametrize(
    ('overrides', 'field'),
    [({"email": "not an address"}, "email"), ({"roles": []}, "roles"),
     ({"roles": ["owner"]}, "roles"), ({"public_name": ""}, "public_name"),
     ({"teams": [987654]}, "teams"), ({"initials": "ABCDEFG"}, "initials"),
     ({"language": "tlh"}, "language")],
)  # fmt: skip
def test_a_bad_invitation_is_refused_and_sends_nothing(admin, team, overrides, field):
    response = invite(admin, team, **overrides)
    assert response.status_code == 400
    assert alerts(response), field
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_sending_again_kills_the_old_link_and_revoking_kills_the_new(admin, team):
    invite(admin, team)
    invitation = Invitation.objects.get()
    old_link = re.search(r"/invitation/[\w-]+/", mail.outbox[0].body).group(0)
    response = admin.post(f"/people/invitations/{invitation.pk}/resend")
    assert response.status_code == 302
    new_link = re.search(r"/invitation/[\w-]+/", mail.outbox[1].body).group(0)
    assert new_link != old_link
    assert Client().get(old_link).status_code == 404
    assert Client().get(new_link).status_code == 200
    confirm = admin.get(f"/people/invitations/{invitation.pk}/revoke")
    assert "Revoke the invitation to karen@example.dk?" in confirm.content.decode()
    assert Client().get(new_link).status_code == 200  # asking changed nothing
    admin.post(f"/people/invitations/{invitation.pk}/revoke")
    assert Client().get(new_link).status_code == 404
    assert "karen@example.dk" not in admin.get("/people/").content.decode()


# --- one person --------------------------------------------------------------------------------


def test_an_admin_changes_a_persons_roles_teams_and_names(admin, agent, team, other_team):
    page = admin.get(f"/people/{agent.pk}/").content.decode()
    assert 'value="Mette Jensen"' in page
    assert 'name="version"' in page
    response = admin.post(
        f"/people/{agent.pk}/",
        {"public_name": "Mette J.", "initials": "MJE", "roles": ["agent", "manager"],
         "teams": [other_team.pk], "version": agent.version},
    )  # fmt: skip
    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.public_name, agent.initials) == ("Mette J.", "MJE")
    assert list(agent.teams.all()) == [other_team]
    assert role_names_of(agent.user) == ["agent", "manager"]
    assert AuditEntry.objects.filter(action=AuditAction.PERSON_CHANGED).exists()


def test_the_last_admin_cannot_drop_their_own_admin_role(admin, admin_agent):
    response = admin.post(
        f"/people/{admin_agent.pk}/",
        {"public_name": "Ada Admin", "initials": "AA", "roles": ["agent"],
         "version": admin_agent.version},
    )  # fmt: skip
    assert response.status_code == 400
    [message] = alerts(response)
    assert "at least one active admin" in message
    page = response.content.decode()
    assert page.index(message) > page.index("<legend>Roles</legend>")  # beside the roles
    assert role_names_of(User.objects.get(pk=admin_agent.user_id)) == ["admin"]


def test_a_save_over_a_colleagues_newer_save_is_refused(admin, agent):
    seen = agent.version
    form = {"public_name": "Mette A", "initials": "MA", "roles": ["agent"], "version": seen}
    assert admin.post(f"/people/{agent.pk}/", form).status_code == 302
    form = {**form, "public_name": "Mette B"}  # the second admin still holds the old form
    response = admin.post(f"/people/{agent.pk}/", form)
    assert response.status_code == 409
    assert "changed meanwhile" in response.content.decode()
    assert Agent.objects.get(pk=agent.pk).public_name == "Mette A"


def test_deactivating_asks_first_then_ends_the_persons_session(admin, agent):
    theirs = logged_in(agent)
    assert theirs.get("/").status_code == 200
    confirm = admin.get(f"/people/{agent.pk}/deactivate").content.decode()
    assert "Deactivate Mette Jensen?" in confirm
    assert "keep their name and signature" in confirm
    assert User.objects.get(pk=agent.user_id).is_active  # asking changed nothing
    response = admin.post(f"/people/{agent.pk}/deactivate")
    assert response.status_code == 302
    assert not User.objects.get(pk=agent.user_id).is_active
    assert theirs.get("/")["Location"].startswith("/login/")
    page = admin.get("/people/").content.decode()
    assert "Deactivated" in page
    assert "their sessions and API tokens have ended" in page
    admin.post(f"/people/{agent.pk}/reactivate")
    assert User.objects.get(pk=agent.user_id).is_active
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {AuditAction.PERSON_DEACTIVATED, AuditAction.PERSON_REACTIVATED} <= actions


def test_the_last_admin_cannot_deactivate_themselves(admin, admin_agent):
    response = admin.post(f"/people/{admin_agent.pk}/deactivate")
    assert response.status_code == 400
    assert "at least one active admin" in response.content.decode()
    assert User.objects.get(pk=admin_agent.user_id).is_active


def test_an_unknown_person_is_not_found(admin):
    assert admin.get("/people/987654/").status_code == 404
    assert admin.post("/people/987654/deactivate").status_code == 404


def test_roles_shown_are_the_persons(admin, agent, manager):
    page = admin.get("/people/").content.decode()
    row = page.split("Maja Manager", 1)[1].split("</tr>", 1)[0]
    assert "manager" in row
    assert Role.MANAGER.value in role_names_of(manager.user)
