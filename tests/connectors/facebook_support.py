"""A simulated Graph API on a real local port, and a Facebook connector pointed at it.

Test modules bind the fixture by name (``graph = facebook_support.graph``): not a conftest, so
other platforms' tests keep their own fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connectors.base import OutboundReply, ThreadKind
from connectors.facebook.connector import FacebookConnector
from connectors.simulator.faults import Fault, FaultKind
from connectors.simulator.graph.app import GraphApp
from connectors.simulator.server import Simulator, SimulatorServer

PAGE_ID = "100000000000001"
PAGE_NAME = "Skattestyrelsen"
TOKEN = "fb-test-page-token"
KIRSTEN = {"id": "7001", "name": "Kirsten Madsen"}
OLE = {"id": "7002", "name": "Ole Sørensen"}


@dataclass(frozen=True, slots=True)
class SimulatedGraph:
    app: GraphApp
    server: SimulatorServer

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def connector(self, token: str = TOKEN, **options: Any) -> FacebookConnector:
        return FacebookConnector(PAGE_ID, token, base_url=self.base_url, **options)

    def fault(self, kind: FaultKind, path: str = "", **options: Any) -> None:
        self.server.simulator.faults.add(
            Fault(kind=kind, platform="graph", path_prefix=path, **options)
        )

    def calls(self) -> list[str]:
        return list(self.app.requests)


@pytest.fixture(scope="module")
def graph_server() -> Iterator[SimulatorServer]:
    server = SimulatorServer(Simulator([])).start()
    yield server
    server.stop()


@pytest.fixture
def graph(graph_server: SimulatorServer) -> Iterator[SimulatedGraph]:
    """A fresh simulated Graph (new world, no faults) on the module's server."""
    app = GraphApp()
    app.add_page(PAGE_ID, PAGE_NAME, TOKEN)
    graph_server.simulator.apps[:] = [app]
    graph_server.simulator.faults.clear()
    yield SimulatedGraph(app, graph_server)
    graph_server.simulator.faults.clear()


def ago(**delta: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(**delta)


def messenger_reply(received: dict[str, Any], body: str, **extra: str) -> OutboundReply:
    """A reply to a Messenger message as ``add_messenger_message`` returned it."""
    persona_name = extra.pop("persona_name", None)
    return OutboundReply(
        idempotency_key=f"reply-to-{received['id']}",
        thread_external_id=received["conversation_id"],
        kind=ThreadKind.PRIVATE,
        body=body,
        recipient_external_id=received["from"]["id"],
        persona_name=persona_name,
        extra=extra,
    )


def comment_reply(comment: dict[str, Any], body: str) -> OutboundReply:
    """A public reply to a comment as ``add_comment`` returned it."""
    thread = comment.get("parent", {}).get("id") or comment["id"]
    return OutboundReply(
        idempotency_key=f"reply-to-{comment['id']}",
        thread_external_id=thread,
        kind=ThreadKind.PUBLIC,
        body=body,
        recipient_external_id=comment["from"]["id"],
        in_reply_to_external_id=comment["id"],
    )
