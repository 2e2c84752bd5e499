"""The page an invitation's link opens: who invited the person to which team; a password that
Django's validators accept signs them in. A link that is unknown, expired, used or revoked
answers one plain 404 page that tells nothing about the invitation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from inbox.models import Agent, Invitation
from inbox.permissions.roles import role_names_of
from inbox.services.invitations import invitation_create, invitation_revoke

pytestmark = pytest.mark.django_db
PASSWORD = "a long and unusual passphrase 42"


@pytest.fixture
def link(admin_agent, team) -> str:
    invitation = invitation_create(
        user=admin_agent.user, email="karen@example.dk", public_name="Karen Lund",
        initials="KL", roles=["agent"], team_ids=[team.pk], base_url="http://testserver/",
    )  # fmt: skip
    return f"/invitation/{invitation.token}/"


def accept(client: Client, link: str, password: str = PASSWORD, again: str | None = None):
    return client.post(link, {"password": password, "password_again": again or password})


def test_the_page_says_who_invited_them_to_which_team(client, link):
    response = client.get(link)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Welcome to Svar, Karen Lund" in page
    assert "Ada Admin invited you" in page
    assert "in the team Skat." in page
    assert "You will sign in as karen@example.dk." in page
    assert '<label for="id_password">' in page
    assert response["Cache-Control"].startswith("max-age=0")  # never cached


def test_a_password_signs_the_new_person_in(client, link, team):
    response = accept(client, link)
    assert response.status_code == 302
    assert response["Location"] == "/"
    agent = Agent.objects.get(public_name="Karen Lund")
    assert list(agent.teams.all()) == [team]
    assert role_names_of(agent.user) == ["agent"]
    inbox = client.get("/")
    assert inbox.status_code == 200
    assert "Welcome to Svar, Karen Lund." in inbox.content.decode()


@pytest.mark.parametrize(
    ("password", "again", "expected"),
    [("kort", None, "This password is too short."),
     ("12345678901234", None, "This password is entirely numeric."),
     ("karen@example.dk", None, "too similar"),
     (PASSWORD, PASSWORD + "!", "The two passwords differ.")],
)  # fmt: skip
def test_a_weak_or_mistyped_password_is_refused_beside_the_field(
    client, link, password, again, expected
):
    response = accept(client, link, password, again)
    assert response.status_code == 400
    page = response.content.decode()
    assert expected in page
    assert 'role="alert"' in page
    assert not User.objects.filter(email="karen@example.dk").exists()
    assert client.get(link).status_code == 200  # the link still works


def _dead(response) -> None:
    page = response.content.decode()
    assert response.status_code == 404
    assert "This invitation link is not valid" in page
    assert "karen@example.dk" not in page
    assert "Karen" not in page
    assert "Skat" not in page


def test_a_used_link_is_dead(client, link):
    accept(client, link)
    Client().logout()
    _dead(Client().get(link))
    _dead(accept(Client(), link, "another long passphrase 43"))
    assert User.objects.filter(email="karen@example.dk").count() == 1


def test_an_expired_link_is_dead(link):
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    _dead(Client().get(link))
    _dead(accept(Client(), link))
    assert not User.objects.filter(email="karen@example.dk").exists()


def test_a_revoked_link_is_dead(link, admin_agent):
    invitation_revoke(user=admin_agent.user, invitation_id=Invitation.objects.get().pk)
    _dead(Client().get(link))


@pytest.mark.parametrize("token", ["unknown", "x" * 5000, "%00", "é", "a.b"])
def test_an_unknown_link_is_dead(client, token, link):
    _dead(client.get(f"/invitation/{token}/"))


def test_an_sso_organisation_offers_its_sign_in(client, link, settings):
    settings.SVAR_OIDC_ISSUER = "https://login.example.dk"
    settings.OIDC_RP_CLIENT_ID = "svar"
    settings.SVAR_OIDC_PROVIDER_NAME = "Microsoft"
    page = client.get(link).content.decode()
    assert 'href="/sso/start/"' in page
    assert "Sign in with Microsoft" in page
    assert "Or choose a password" in page
