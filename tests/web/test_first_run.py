"""The first run: on a Svar with no teams and no channel accounts, the first admin's first
visit of the inbox leads to a guide (their own profile when they are a superuser without one,
a team, a channel account, colleagues); the guide is gone once done. Nobody else is led there,
and a Svar already set up sends nobody there."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from inbox.models import Agent, AuditAction, AuditEntry, Team
from inbox.permissions.roles import Role
from tests.factories import AgentFactory, ChannelAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root() -> Client:
    """What ``createsuperuser`` makes on an empty database."""
    user = User.objects.create_superuser("root", "root@example.dk", "a long passphrase 42")
    client = Client()
    client.force_login(user)
    return client


def step(client: Client, action: str, **fields: str):
    return client.post("/welcome/", {"action": action, **fields})


def test_a_superuser_without_a_profile_is_offered_one_instead_of_a_refusal(root):
    for path in ("/", "/profile/", "/people/", "/metrics/"):
        response = root.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/welcome/"
    page = root.get("/welcome/").content.decode()
    assert "Your agent profile" in page
    assert 'name="public_name"' in page
    assert 'action="team"' not in page  # no team before the profile that audits it
    response = step(root, "profile", public_name="Rikke Rod", initials="RR")
    assert response.status_code == 302
    agent = Agent.objects.get(user__username="root")
    assert agent.public_name == "Rikke Rod"
    assert AuditEntry.objects.filter(action=AuditAction.PROFILE_CREATED).exists()
    assert root.get("/profile/").status_code == 200  # an agent now, every page opens


def test_a_bad_profile_is_refused_beside_the_field(root):
    response = step(root, "profile", public_name="", initials="RR")
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not Agent.objects.exists()


def test_the_guide_leads_through_team_channel_and_colleagues_then_disappears(root):
    step(root, "profile", public_name="Rikke Rod", initials="RR")
    assert root.get("/")["Location"] == "/welcome/"
    response = step(root, "team", name="Kundeservice")
    assert response["Location"] == "/welcome/"
    assert Team.objects.filter(name="Kundeservice").exists()
    page = root.get("/welcome/").content.decode()
    assert 'href="/channels/"' in page  # the account is connected on the Channels page
    assert root.get("/")["Location"] == "/welcome/"  # not done yet
    step(root, "channel")
    page = root.get("/welcome/").content.decode()
    assert "skipped" in page
    assert 'href="/people/invite"' in page
    step(root, "invite")
    page = root.get("/welcome/").content.decode()
    assert "Svar is ready" in page
    response = step(root, "finish")
    assert response["Location"] == "/"
    assert root.get("/").status_code == 200  # the inbox, for good


def test_an_invitation_sent_from_the_guide_comes_back_to_it(root):
    step(root, "profile", public_name="Rikke Rod", initials="RR")
    step(root, "team", name="Kundeservice")
    step(root, "channel")
    team = Team.objects.get()
    response = root.post(
        "/people/invite",
        {"email": "mette@example.dk", "public_name": "Mette", "initials": "M", "language": "da",
         "roles": ["agent"], "teams": [team.pk]},
    )  # fmt: skip
    assert response["Location"] == "/welcome/"
    page = root.get("/welcome/").content.decode()
    invite_step = page.split('id="step-invite"', 1)[1].split("</h2>", 1)[0]
    assert ">done<" in invite_step
    assert "Svar is ready" in page


def test_a_taken_team_name_is_refused_in_the_guide(root):
    step(root, "profile", public_name="Rikke Rod", initials="RR")
    Team.objects.create(name="Skat")  # made elsewhere meanwhile
    step(root, "channel")
    response = step(root, "team", name="Skat")
    assert response.status_code in (302, 400)  # the team step is done: nothing to refuse
    assert Team.objects.count() == 1


def test_a_connected_account_counts_as_the_channel_step(root):
    step(root, "profile", public_name="Rikke Rod", initials="RR")
    step(root, "team", name="Kundeservice")
    ChannelAccountFactory(team=Team.objects.get())
    page = root.get("/welcome/").content.decode()
    assert "svar_add_account" not in page
    assert 'href="/people/invite"' in page


def test_an_admin_with_a_profile_on_an_empty_svar_is_guided(admin_agent):
    client = Client()
    client.force_login(User.objects.get(pk=admin_agent.user_id))
    assert client.get("/")["Location"] == "/welcome/"
    assert "Your agent profile" not in client.get("/welcome/").content.decode()
    response = step(client, "team", name="")
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_a_svar_already_set_up_sends_nobody_to_the_guide(admin_agent, x_account):
    client = Client()
    client.force_login(User.objects.get(pk=admin_agent.user_id))
    assert client.get("/").status_code == 200
    assert client.get("/").status_code == 200  # the answer is kept in the session


@pytest.mark.parametrize("role", [Role.AGENT, Role.MANAGER])
def test_only_admins_are_guided(role):
    member = AgentFactory(role=role)
    client = Client()
    client.force_login(User.objects.get(pk=member.user_id))
    assert client.get("/").status_code == 200  # an empty inbox, not the guide
    assert client.get("/welcome/").status_code == 403
    assert step(client, "team", name="Mine").status_code == 403
    assert not Team.objects.exists()


def test_a_user_without_a_profile_who_is_no_superuser_is_still_refused():
    user = User.objects.create_user("visitor", password="a long passphrase 42")
    client = Client()
    client.force_login(user)
    response = client.get("/welcome/")
    assert response.status_code == 403
    assert "ask an administrator" in response.content.decode()
    assert step(client, "profile", public_name="Me", initials="M").status_code == 403
    assert not Agent.objects.exists()


def test_the_guide_speaks_danish(root):
    page = root.get("/welcome/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Sæt Svar op" in page
    assert "Din agentprofil" in page
