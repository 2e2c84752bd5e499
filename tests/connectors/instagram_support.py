"""A simulated Graph with an Instagram business account linked to a Page, on a real local port,
and an Instagram connector pointed at it. Test modules bind the fixtures by name."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from connectors.base import OutboundReply, ThreadKind
from connectors.instagram.connector import InstagramConnector
from connectors.simulator.faults import Fault, FaultKind
from connectors.simulator.graph.app import GraphApp
from connectors.simulator.server import Simulator, SimulatorServer
from tests.connectors.facebook_support import PAGE_ID, PAGE_NAME, TOKEN, ago

IG_ID = "17841400000000001"
IG_USERNAME = "skattemor"
KIRSTEN = {"id": "9001", "username": "kirsten.madsen"}
OLE = {"id": "9002", "username": "ole_s"}

__all__ = ["IG_ID", "KIRSTEN", "OLE", "PAGE_ID", "TOKEN", "ago"]


@dataclass(frozen=True, slots=True)
class SimulatedInstagram:
    app: GraphApp
    server: SimulatorServer

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def ig(self) -> Any:
        return self.app.instagram

    def connector(self, token: str = TOKEN, **options: Any) -> InstagramConnector:
        return InstagramConnector(IG_ID, token, base_url=self.base_url, **options)

    def fault(self, kind: FaultKind, path: str = "", **options: Any) -> None:
        self.server.simulator.faults.add(
            Fault(kind=kind, platform="graph", path_prefix=path, **options)
        )

    def sent(self) -> dict[str, list[dict[str, Any]]]:
        return self.ig.replies(IG_ID)


@pytest.fixture(scope="module")
def instagram_server() -> Iterator[SimulatorServer]:
    server = SimulatorServer(Simulator([])).start()
    yield server
    server.stop()


@pytest.fixture
def instagram(instagram_server: SimulatorServer) -> Iterator[SimulatedInstagram]:
    """A fresh simulated Graph: the Page and its linked Instagram account, no faults."""
    app = GraphApp()
    app.add_page(PAGE_ID, PAGE_NAME, TOKEN)
    app.instagram.link_account(PAGE_ID, IG_ID, IG_USERNAME, "Skattestyrelsen")
    instagram_server.simulator.apps[:] = [app]
    instagram_server.simulator.faults.clear()
    yield SimulatedInstagram(app, instagram_server)
    instagram_server.simulator.faults.clear()


def comment_reply(comment: dict[str, Any], body: str) -> OutboundReply:
    return OutboundReply(
        idempotency_key=f"reply-to-{comment['id']}",
        thread_external_id=comment.get("parent_id") or comment["id"],
        kind=ThreadKind.PUBLIC,
        body=body,
        recipient_external_id=comment["from"]["id"],
        in_reply_to_external_id=comment["id"],
    )


def dm_reply(received: dict[str, Any], body: str, **extra: str) -> OutboundReply:
    return OutboundReply(
        idempotency_key=f"reply-to-{received['id']}",
        thread_external_id=received["conversation_id"],
        kind=ThreadKind.PRIVATE,
        body=body,
        recipient_external_id=received["from"]["id"],
        extra=extra,
    )
