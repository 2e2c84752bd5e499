"""The simulator's identity provider on a real port, and Svar configured to trust it; a sign-in
walked as the browser would: Svar's start route, the provider's page, back to the callback."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from django.test import Client

from connectors.simulator.oidc.app import OidcApp
from connectors.simulator.oidc.people import SimPerson
from connectors.simulator.server import Simulator, SimulatorServer
from inbox.models import Team

GROUP_MAP = {
    "svar-borgerservice": {"team": "Borgerservice", "role": "agent"},
    "svar-borgerservice-ledere": {"team": "Borgerservice", "role": "manager"},
    "svar-it": {"team": "IT", "role": "admin"},
    "svar-kantine": {"team": "Kantinen", "role": "agent"},  # a team Svar does not have
}


@dataclass
class Provider:
    app: OidcApp
    base_url: str

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/oidc"

    def fault(self, kind: str) -> None:
        httpx.post(f"{self.base_url}/_sim/oidc/faults", json={"fault": kind}, trust_env=False)

    def person(self, sub: str, email: str, name: str, groups: list[str]) -> SimPerson:
        return self.app.add_person(SimPerson(sub, email, name, groups))


@pytest.fixture
def provider(settings: Any, db: None) -> Iterator[Provider]:
    app = OidcApp(client_id="svar", client_secret="svar-sim-secret")
    server = SimulatorServer(Simulator([app])).start()
    Team.objects.get_or_create(name="Borgerservice")
    Team.objects.get_or_create(name="IT")
    settings.SVAR_OIDC_ISSUER = f"{server.base_url}/oidc"
    settings.OIDC_RP_CLIENT_ID = "svar"
    settings.OIDC_RP_CLIENT_SECRET = "svar-sim-secret"
    settings.SVAR_OIDC_PROVIDER_NAME = "Kommune-login"
    settings.SVAR_OIDC_GROUP_MAP = json.dumps(GROUP_MAP)
    yield Provider(app, server.base_url)
    server.stop()


def sign_in(client: Client, sub: str, *, next_url: str = "") -> Any:
    """Svar → the provider's sign-in page (over HTTP) → pick ``sub`` → Svar's callback.
    Returns Svar's answer to the callback (a redirect), followed once."""
    start = client.get("/sso/start/", {"next": next_url} if next_url else {})
    assert start.status_code == 302, start
    page = httpx.get(start["Location"], trust_env=False)
    assert page.status_code == 200, page.text
    form = next(part for part in page.text.split("<li>")[1:] if f'value="{sub}"' in part)
    fields = {k: unescape(v) for k, v in re.findall(r'name="(\w+)" value="([^"]*)"', form)}
    action = urlsplit(start["Location"])
    answer = httpx.post(
        f"{action.scheme}://{action.netloc}/oidc/authorize", data=fields, trust_env=False
    )
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["location"])
    assert back.path == "/sso/callback/"
    return client.get(f"{back.path}?{back.query}", follow=True)
