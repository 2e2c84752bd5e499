"""One-time codes (TOTP) for password logins: an admin's password session reaches nothing,
pages or session-authenticated API, until they have enrolled an authenticator app and given a
right code; a wrong code is refused. Others may enrol. Single sign-on sessions and API tokens
are exempt (docs/security.md says why)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from inbox.models import Agent
from tests.security.sso_support import Provider, sign_in

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def totp_required(settings: Any) -> None:
    settings.SVAR_TOTP_FOR_ADMINS = True  # the production default; off elsewhere in the suite


def password_login(agent: Agent) -> Client:
    agent.user.set_password(PASSWORD)
    agent.user.save()
    client = Client()
    answer = client.post("/login/", {"username": agent.user.username, "password": PASSWORD})
    assert answer.status_code == 302
    return client


def code_for(device: TOTPDevice, *, shift: int = 0) -> str:
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + shift)
    return f"{value:0{device.digits}d}"


def enrolled(agent: Agent) -> TOTPDevice:
    return TOTPDevice.objects.create(user=agent.user, name="authenticator", confirmed=True)


def test_an_admins_password_session_reaches_no_page_and_no_api_before_enrolling(
    admin_agent: Agent,
) -> None:
    client = password_login(admin_agent)
    for page in ("/", "/profile/", "/conversations/"):
        answer = client.get(page)
        assert answer.status_code == 302
        assert answer["Location"].startswith("/mfa/enrol/?next=")
    api = client.get("/api/me")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "second_factor_required"


def test_enrolling_shows_the_secret_and_a_wrong_code_is_refused_a_right_one_accepted(
    admin_agent: Agent,
) -> None:
    client = password_login(admin_agent)
    page = client.get("/mfa/enrol/?next=/profile/")
    device = TOTPDevice.objects.get(user=admin_agent.user, confirmed=False)
    text = page.content.decode()
    assert "otpauth://totp/" in text
    assert "<svg" in text
    assert page.context["secret"].replace(" ", "") in device.config_url

    wrong = client.post("/mfa/enrol/", {"code": code_for(device, shift=5), "next": "/profile/"})
    assert wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode()
    assert client.get("/profile/").status_code == 302  # still held at the door

    time.sleep(1.1)  # django-otp throttles after a failure (1 s, then doubling)
    right = client.post("/mfa/enrol/", {"code": code_for(device), "next": "/profile/"})
    assert right.status_code == 302
    assert right["Location"] == "/profile/"
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get("/profile/").status_code == 200
    assert client.get("/api/me").status_code == 200


def test_an_enrolled_admin_gives_a_code_at_each_password_login(admin_agent: Agent) -> None:
    device = enrolled(admin_agent)
    client = password_login(admin_agent)
    held = client.get("/")
    assert held["Location"].startswith("/mfa/verify/?next=")
    wrong = client.post("/mfa/verify/", {"code": code_for(device, shift=7)})
    assert wrong.status_code == 400
    assert client.get("/api/me").status_code == 403
    time.sleep(1.1)
    verified = client.post("/mfa/verify/", {"code": code_for(device), "next": "/profile/"})
    assert verified["Location"] == "/profile/"
    assert client.get("/profile/").status_code == 200


def test_an_agent_needs_no_code_but_may_enrol_and_then_gives_it(agent: Agent) -> None:
    assert password_login(agent).get("/").status_code == 200
    device = enrolled(agent)
    client = password_login(agent)
    assert client.get("/")["Location"].startswith("/mfa/verify/")
    client.post("/mfa/verify/", {"code": code_for(device)})
    assert client.get("/").status_code == 200


def test_an_admin_signed_in_through_the_provider_gives_no_svar_code(provider: Provider) -> None:
    provider.person("sim-ida", "ida@kommune.example", "Ida It", ["svar-it"])
    client = Client()
    landed = sign_in(client, "sim-ida")
    assert landed.status_code == 200
    assert landed.redirect_chain[-1][0] == "/"
    assert User.objects.get(email="ida@kommune.example").has_perm("inbox.manage_channels")
    assert client.get("/api/me").status_code == 200


def test_an_admins_api_token_needs_no_code(admin_agent: Agent) -> None:
    token = Token.objects.create(user=admin_agent.user)
    answer = Client().get("/api/me", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert answer.status_code == 200


def test_the_code_pages_send_a_visitor_to_the_login_page() -> None:
    for page in ("/mfa/enrol/", "/mfa/verify/"):
        assert Client().get(page)["Location"].startswith("/login/")
