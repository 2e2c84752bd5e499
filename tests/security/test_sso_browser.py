"""In the browser: a second person of a team signs in through the simulator's OpenID Connect
provider (Svar under uvicorn, the provider on its own port, headless Chromium) and lands in
the right team with the right role."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, expect

from connectors.simulator.oidc.app import OidcApp
from connectors.simulator.server import Simulator, SimulatorServer
from inbox.models import Team
from inbox.permissions.roles import Role, role_of
from tests.factories import AgentFactory
from tests.security.sso_support import GROUP_MAP
from tests.web.chromium import chromium  # noqa: F401 (fixture)
from tests.web.servers import AsgiServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def svar_with_sso(channel_prefix: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    provider = SimulatorServer(Simulator([OidcApp("svar", "svar-sim-secret")])).start()
    monkeypatch.setenv("SVAR_OIDC_ISSUER", f"{provider.base_url}/oidc")
    monkeypatch.setenv("SVAR_OIDC_CLIENT_ID", "svar")
    monkeypatch.setenv("SVAR_OIDC_CLIENT_SECRET", "svar-sim-secret")
    monkeypatch.setenv("SVAR_OIDC_PROVIDER_NAME", "Kommune-login")
    monkeypatch.setenv("SVAR_OIDC_GROUP_MAP", json.dumps(GROUP_MAP))
    server = AsgiServer().start()
    try:
        yield server.origin
    finally:
        server.stop()
        provider.stop()


def test_a_second_person_signs_in_through_the_provider_into_their_team_and_role(
    svar_with_sso: str,
    chromium: Browser,  # noqa: F811
) -> None:
    team = Team.objects.create(name="Borgerservice")
    AgentFactory(public_name="Første Kollega", teams=[team])  # the team's first person
    context = chromium.new_context(locale="en-GB")
    try:
        page = context.new_page()
        page.goto(f"{svar_with_sso}/login/")
        page.get_by_role("link", name="Sign in with Kommune-login").click()
        expect(page.get_by_role("heading", name="Simulated identity provider")).to_be_visible()
        page.get_by_role("button", name="Continue as Henrik Holm").click()
        page.wait_for_url(f"{svar_with_sso}/")
        expect(page.locator(".whoami-name")).to_have_text("Henrik Holm")
        # A manager's navigation: the metrics dashboard is theirs.
        expect(page.get_by_role("link", name=re.compile("Metrics"))).to_be_visible()
    finally:
        context.close()
    henrik = User.objects.get(email="henrik@kommune.example")
    assert role_of(henrik) == Role.MANAGER
    assert list(henrik.agent.teams.values_list("name", flat=True)) == ["Borgerservice"]
