"""Failed logins are limited per account and per client address in a sliding window; over the
limit a login is answered 429 with Retry-After before the password is checked."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def make_user(username: str) -> User:
    return User.objects.create_user(username, password=PASSWORD)


@pytest.fixture
def limits(settings):
    settings.SVAR_LOGIN_FAILURES_PER_ACCOUNT = 3
    settings.SVAR_LOGIN_FAILURES_PER_ADDRESS = 6
    settings.SVAR_LOGIN_WINDOW_SECONDS = 600
    return settings


def login(username: str, password: str, *, address: str = "203.0.113.7", path: str = "/login/"):
    return Client().post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_an_account_is_throttled_after_its_failures_even_with_the_right_password(limits):
    make_user("mette")
    for _ in range(3):
        assert login("mette", "wrong").status_code == 200  # the form again, with an error

    refused = login("mette", PASSWORD)

    assert refused.status_code == 429
    assert 590 <= int(refused["Retry-After"]) <= 600
    assert "Too many failed login attempts. Try again in 10 minutes." in refused.content.decode()
    # The account is throttled from every address, and the name's case does not matter.
    assert login("METTE", PASSWORD, address="198.51.100.1").status_code == 429


def test_one_address_guessing_many_accounts_is_throttled(limits):
    make_user("lars")
    for n in range(6):
        login(f"user{n}", "wrong")

    assert login("lars", PASSWORD).status_code == 429
    assert login("lars", PASSWORD, address="198.51.100.1").status_code == 302  # elsewhere: fine


def test_the_admin_login_is_throttled_too(limits):
    for _ in range(3):
        login("admin", "wrong", path="/admin/login/")
    assert login("admin", PASSWORD, path="/admin/login/").status_code == 429


def test_a_success_clears_the_accounts_count(limits):
    make_user("sofie")
    for _ in range(2):
        login("sofie", "wrong")
    assert login("sofie", PASSWORD).status_code == 302
    for _ in range(2):
        login("sofie", "wrong")

    assert login("sofie", PASSWORD).status_code == 302


def test_the_window_slides(limits):
    limits.SVAR_LOGIN_WINDOW_SECONDS = 2
    make_user("maria")
    for _ in range(3):
        login("maria", "wrong")
    refused = login("maria", PASSWORD)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) <= 2

    time.sleep(2.1)

    assert login("maria", PASSWORD).status_code == 302


def test_throttling_does_not_touch_logged_in_work(limits, conversation):
    agent = AgentFactory(teams=[conversation.team])
    for _ in range(6):
        login("someone", "wrong", address="127.0.0.1")
    client = Client()
    client.force_login(User.objects.get(pk=agent.user.pk))  # the stored password's hash

    assert client.get(f"/api/conversations/{conversation.pk}").status_code == 200
