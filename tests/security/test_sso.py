"""Single sign-on with OpenID Connect against the simulator's identity provider over real HTTP:
the code flow through Svar's start and callback routes, the ID token verified against the
provider's JWKS, the provider's groups mapped to a role and teams."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from inbox.models import Agent, AuditAction, AuditEntry
from inbox.permissions.roles import Role, role_of
from tests.factories import AgentFactory
from tests.security.sso_support import Provider, sign_in

pytestmark = pytest.mark.django_db


def teams_of(user: User) -> set[str]:
    return set(user.agent.teams.values_list("name", flat=True))


def signed_in_user(client: Client) -> User | None:
    user = client.get("/profile/").wsgi_request.user
    return user if user.is_authenticated else None


def test_the_login_page_offers_the_provider(provider: Provider) -> None:
    page = Client().get("/login/").content.decode()
    assert "Sign in with Kommune-login" in page
    assert 'name="password"' in page  # password login is on unless switched off


def test_a_first_sign_in_creates_the_person_in_the_mapped_team_with_the_mapped_role(
    provider: Provider,
) -> None:
    client = Client()
    landed = sign_in(client, "sim-henrik")
    assert landed.status_code == 200
    assert landed.redirect_chain[-1][0] == "/"  # the inbox
    user = User.objects.get(email="henrik@kommune.example")
    assert signed_in_user(client) == user
    assert role_of(user) == Role.MANAGER
    assert teams_of(user) == {"Borgerservice"}
    assert (user.agent.public_name, user.agent.initials) == ("Henrik Holm", "HH")
    assert not user.has_usable_password()  # they sign in through the provider only
    entry = AuditEntry.objects.get(action=AuditAction.PROFILE_CREATED)
    assert entry.actor == user.agent
    assert entry.details["groups"] == ["svar-borgerservice-ledere"]
    assert entry.details["role"] == "manager"


def test_the_next_page_asked_for_is_where_the_sign_in_ends(provider: Provider) -> None:
    landed = sign_in(Client(), "sim-sofie", next_url="/profile/")
    assert landed.redirect_chain[-1][0] == "/profile/"


def test_role_and_teams_follow_the_groups_at_every_sign_in_and_the_change_is_audited(
    provider: Provider,
) -> None:
    sign_in(Client(), "sim-sofie")
    sofie = User.objects.get(email="sofie@kommune.example")
    assert (role_of(sofie), teams_of(sofie)) == (Role.AGENT, {"Borgerservice"})

    sign_in(Client(), "sim-sofie")  # the same groups: nothing changes, nothing is logged
    assert not AuditEntry.objects.filter(action=AuditAction.PERSON_CHANGED).exists()

    provider.app.people["sim-sofie"].groups = ["svar-it", "svar-borgerservice"]
    sign_in(Client(), "sim-sofie")
    sofie = User.objects.get(pk=sofie.pk)
    assert (role_of(sofie), teams_of(sofie)) == (Role.ADMIN, {"Borgerservice", "IT"})
    change = AuditEntry.objects.get(action=AuditAction.PERSON_CHANGED)
    assert change.details["roles"] == {"before": ["agent"], "after": ["admin"]}
    assert User.objects.filter(email="sofie@kommune.example").count() == 1


def test_an_existing_password_account_with_the_same_address_is_the_same_person(
    provider: Provider,
) -> None:
    agent = AgentFactory(public_name="Sofie S.", role=Role.AGENT)
    User.objects.filter(pk=agent.user_id).update(email="Sofie@Kommune.example")
    sign_in(Client(), "sim-sofie")
    user = User.objects.get(pk=agent.user_id)
    assert teams_of(user) == {"Borgerservice"}
    assert user.agent.public_name == "Sofie S."  # their own choice of public name is kept
    assert User.objects.count() == 1


@pytest.mark.parametrize("groups", [["svar-kantine"], ["some-other-group"], []])
def test_groups_that_map_to_no_team_are_refused_with_a_clear_message_and_nothing_made(
    provider: Provider, groups: list[str]
) -> None:
    provider.person("sim-nina", "nina@kommune.example", "Nina Nord", groups)
    client = Client()
    landed = sign_in(client, "sim-nina")
    assert landed.redirect_chain[-1][0] == "/login/"
    page = landed.content.decode()
    assert "Your groups at Kommune-login give you no team in Svar" in page
    assert signed_in_user(client) is None
    assert not User.objects.filter(email="nina@kommune.example").exists()
    assert not Agent.objects.filter(public_name="Nina Nord").exists()
    assert not AuditEntry.objects.exists()


def test_the_refusal_is_in_the_persons_language(provider: Provider) -> None:
    provider.person("sim-nina", "nina@kommune.example", "Nina Nord", ["svar-kantine"])
    landed = sign_in(Client(HTTP_ACCEPT_LANGUAGE="da"), "sim-nina")
    assert "Dine grupper hos Kommune-login giver dig intet team i Svar" in landed.content.decode()


def test_a_deactivated_person_is_refused_and_keeps_their_old_access(provider: Provider) -> None:
    sign_in(Client(), "sim-sofie")
    User.objects.filter(email="sofie@kommune.example").update(is_active=False)
    provider.app.people["sim-sofie"].groups = ["svar-it"]
    client = Client()
    landed = sign_in(client, "sim-sofie")
    assert "This account has been deactivated" in landed.content.decode()
    assert signed_in_user(client) is None
    sofie = User.objects.get(email="sofie@kommune.example")
    assert (role_of(sofie), teams_of(sofie)) == (Role.AGENT, {"Borgerservice"})


def test_a_deactivated_persons_single_sign_on_session_ends(provider: Provider) -> None:
    client = Client()
    sign_in(client, "sim-sofie")
    assert signed_in_user(client) is not None
    User.objects.filter(email="sofie@kommune.example").update(is_active=False)
    assert signed_in_user(client) is None


@pytest.mark.parametrize("fault", ["wrong_key", "wrong_audience"])
def test_an_id_token_with_a_bad_signature_or_for_another_audience_is_refused(
    provider: Provider, fault: str
) -> None:
    provider.fault(fault)
    client = Client()
    landed = sign_in(client, "sim-henrik")
    assert "The sign-in could not be verified" in landed.content.decode()
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_an_id_token_replaying_an_earlier_sign_ins_nonce_is_refused(provider: Provider) -> None:
    sign_in(Client(), "sim-sofie")  # a good sign-in: its nonce is now an old one
    provider.fault("old_nonce")
    client = Client()
    landed = sign_in(client, "sim-henrik")
    assert "The sign-in could not be verified" in landed.content.decode()
    assert signed_in_user(client) is None
    assert not User.objects.filter(email="henrik@kommune.example").exists()


def test_a_callback_with_a_state_this_session_never_sent_is_refused(provider: Provider) -> None:
    client = Client()
    client.get("/sso/start/")
    answer = client.get("/sso/callback/", {"code": "made-up", "state": "forged"})
    assert answer.status_code == 400
    assert signed_in_user(client) is None


def test_an_unreachable_provider_is_said_so_on_the_login_page(settings: Any) -> None:
    settings.SVAR_OIDC_ISSUER = "http://127.0.0.1:9/oidc"  # the discard port: nobody answers
    settings.OIDC_RP_CLIENT_ID = "svar"
    landed = Client().get("/sso/start/", follow=True)
    assert landed.redirect_chain[-1][0] == "/login/"
    assert "The identity provider did not answer" in landed.content.decode()


def test_without_configuration_there_is_no_single_sign_on(settings: object) -> None:
    assert Client().get("/sso/start/").status_code == 404
    assert Client().get("/sso/callback/", {"code": "c", "state": "s"}).status_code == 404
    assert "Sign in with" not in Client().get("/login/").content.decode()


def test_with_password_login_switched_off_only_the_provider_is_offered_and_passwords_refused(
    provider: Provider, settings: Any
) -> None:
    settings.SVAR_PASSWORD_LOGIN = False
    agent = AgentFactory(role=Role.ADMIN)
    agent.user.set_password("correct horse battery")
    agent.user.is_staff = agent.user.is_superuser = True
    agent.user.save()
    page = Client().get("/login/").content.decode()
    assert "Sign in with Kommune-login" in page
    assert 'name="password"' not in page
    for login_path in ("/login/", "/admin/login/"):
        client = Client()
        answer = client.post(
            login_path, {"username": agent.user.username, "password": "correct horse battery"}
        )
        assert answer.status_code == 403
        assert "Signing in with a password is switched off" in answer.content.decode()
        assert signed_in_user(client) is None
    assert sign_in(Client(), "sim-sofie").redirect_chain[-1][0] == "/"  # SSO still works
