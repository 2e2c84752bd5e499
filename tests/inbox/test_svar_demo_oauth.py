"""manage.py svar_demo with the OAuth apps pointed at a running simulator: the demo accounts
are connected through the consent pages, as an admin would, and reconnected on every start."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from connectors import jobs
from connectors.simulator import demo
from connectors.simulator.__main__ import demo_world
from connectors.simulator.server import Simulator, SimulatorServer
from inbox.models import ChannelAccount, TokenKind
from tests.inbox.channel_oauth_support import oauth_apps

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def simulator(settings, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    x, graph = demo_world()
    server = SimulatorServer(Simulator([x, graph])).start()
    monkeypatch.setenv("SVAR_SIMULATOR_URL", server.base_url)
    try:
        with oauth_apps(server.base_url):
            yield x, graph
    finally:
        server.stop()


def test_the_demo_accounts_are_connected_through_the_simulators_oauth(simulator):
    x, graph = simulator
    call_command("svar_demo", stdout=StringIO())

    x_account = ChannelAccount.objects.get(platform="x")
    page = ChannelAccount.objects.get(platform="facebook")
    assert x_account.external_id == demo.X_ACCOUNT_ID
    assert x_account.token_kind == TokenKind.X_USER
    assert x_account.team.name == "Skat"
    assert page.external_id == demo.FACEBOOK_PAGE_ID
    assert page.token_kind == TokenKind.FACEBOOK_PAGE
    assert page.team.name == "Told"
    instagram = ChannelAccount.objects.get(platform="instagram")
    assert (instagram.external_id, instagram.handle) == (
        demo.INSTAGRAM_ACCOUNT_ID,
        demo.INSTAGRAM_USERNAME,
    )
    assert instagram.team.name == "Skat"
    assert instagram.token_kind == TokenKind.FACEBOOK_PAGE
    x.add_mention(demo.X_ACCOUNT_ID, {"id": "77", "username": "borger", "name": "Borger"}, "Hej?")
    assert jobs.poll_account(x_account.pk).startswith("stored 1")

    call_command("svar_demo", stdout=StringIO())  # the next start reconnects the same rows

    assert ChannelAccount.objects.count() == 3
    assert ChannelAccount.objects.get(platform="x").pk == x_account.pk
    assert ChannelAccount.objects.get(platform="x").poll_cursor
