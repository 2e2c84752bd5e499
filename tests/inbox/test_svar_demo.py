"""manage.py svar_demo: the demo world, created once and left alone on every later start."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from connectors.simulator import demo
from inbox.models import Agent, ChannelAccount, Conversation, InboxEvent, Message, Team
from inbox.permissions.roles import Role, role_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # Production-strength hashing of five passwords per run would dominate these tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _run() -> str:
    out = StringIO()
    call_command("svar_demo", stdout=out)
    return out.getvalue()


def test_demo_world_is_created(monkeypatch):
    monkeypatch.setenv("SVAR_DEMO_PASSWORD", "kodeord-til-demo")
    monkeypatch.setenv("SVAR_SIMULATOR_URL", "http://127.0.0.1:8799")

    output = _run()

    assert set(Team.objects.values_list("name", flat=True)) == {"Skat", "Told"}
    mette = Agent.objects.get(user__username="mette")
    assert mette.public_name == "Mette Jensen"
    assert mette.initials == "MJ"
    assert mette.signatures == {
        "x": " /Mette",
        "facebook": "\n\nVenlig hilsen Mette, Kundeservice",
        "email": "\n\nVenlig hilsen\nMette Jensen\nKundeservice",
        "instagram": " /Mette",
    }
    assert [t.name for t in mette.teams.all()] == ["Skat"]
    assert {u.username: role_of(u) for u in User.objects.all()} == {
        "mette": Role.AGENT,
        "lars": Role.AGENT,
        "sofie": Role.AGENT,
        "maria": Role.MANAGER,
        "admin": Role.ADMIN,
    }
    assert all(u.check_password("kodeord-til-demo") for u in User.objects.all())
    assert "kodeord-til-demo" in output
    assert "mette" in output

    x = ChannelAccount.objects.get(platform="x")
    fb = ChannelAccount.objects.get(platform="facebook")
    assert (x.external_id, x.credentials_ref, x.base_url) == (
        demo.X_ACCOUNT_ID,
        demo.X_CREDENTIAL_ENV,
        "http://127.0.0.1:8799",
    )
    assert (fb.external_id, fb.credentials_ref, fb.team.name) == (
        demo.FACEBOOK_PAGE_ID,
        demo.FACEBOOK_CREDENTIAL_ENV,
        "Told",
    )
    ig = ChannelAccount.objects.get(platform="instagram")
    assert (ig.external_id, ig.credentials_ref, ig.team.name) == (
        demo.INSTAGRAM_ACCOUNT_ID,
        demo.INSTAGRAM_CREDENTIAL_ENV,
        "Skat",
    )
    # Conversations come from the simulator through the pollers, never from the demo command.
    assert not Conversation.objects.exists()
    assert not InboxEvent.objects.exists()


def test_a_second_run_changes_nothing():
    _run()
    before = (
        Message.objects.count(),
        InboxEvent.objects.count(),
        list(User.objects.order_by("pk").values_list("password", flat=True)),
    )

    _run()

    after = (
        Message.objects.count(),
        InboxEvent.objects.count(),
        list(User.objects.order_by("pk").values_list("password", flat=True)),
    )
    assert after == before  # same hashes too: sessions survive a restart
    assert User.objects.count() == 5
    assert ChannelAccount.objects.count() == 3


def test_a_changed_password_is_applied(monkeypatch):
    _run()
    monkeypatch.setenv("SVAR_DEMO_PASSWORD", "et-nyt-kodeord")

    _run()

    assert User.objects.get(username="maria").check_password("et-nyt-kodeord")
