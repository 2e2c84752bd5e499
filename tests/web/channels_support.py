"""The Channels page's tests: one simulator serving X and Facebook (consent pages, tokens,
Pages), Svar's OAuth apps pointed at it, and admins, managers and agents signed in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client

from connectors.simulator import demo
from connectors.simulator.faults import Fault, FaultKind
from connectors.simulator.graph.app import GraphApp
from connectors.simulator.server import Simulator, SimulatorServer
from connectors.simulator.x.app import XApp
from inbox.models import Agent
from tests.inbox.channel_oauth_support import consent, oauth_apps


@dataclass
class Platforms:
    x: XApp
    graph: GraphApp
    server: SimulatorServer

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def fault(self, platform: str, kind: FaultKind, **options: object) -> None:
        self.server.simulator.faults.add(Fault(kind=kind, platform=platform, **options))


@pytest.fixture
def platforms() -> Iterator[Platforms]:
    """The simulated X (the demo account) and Facebook (the demo Page), Svar's apps on them."""
    x = XApp()
    x.add_account(demo.X_ACCOUNT_ID, demo.X_ACCOUNT_USERNAME, demo.X_ACCOUNT_NAME, demo.X_TOKEN)
    graph = GraphApp()
    graph.add_page(demo.FACEBOOK_PAGE_ID, demo.FACEBOOK_PAGE_NAME, demo.FACEBOOK_TOKEN)
    server = SimulatorServer(Simulator([x, graph])).start()
    try:
        with oauth_apps(server.base_url):
            yield Platforms(x=x, graph=graph, server=server)
    finally:
        server.stop()


def signed_in(agent: Agent) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=agent.user_id))  # the stored password's hash
    return client


def redirect_uri_of(authorize_url: str) -> str:
    return parse_qs(urlsplit(authorize_url).query)["redirect_uri"][0]


def through_consent(
    client: Client, start_path: str, data: dict | None = None, decision: str = "allow"
) -> tuple[str, dict[str, str]]:
    """Press a Connect or Reconnect button, consent (or refuse) at the simulator: the
    callback's path and query, for the test to bring back (or tamper with)."""
    started = client.post(start_path, data or {})
    assert started.status_code == 302, started.content.decode()[:2000]
    query = consent(started["Location"], decision)
    return urlsplit(redirect_uri_of(started["Location"])).path, query
