"""Svar as deployed, for end-to-end webhook tests and the latency bench: uvicorn serving
``/webhooks/meta``, a real RQ worker ingesting and polling, and the Graph simulator delivering
signed webhooks to it over real HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import django_rq
import pytest
import requests

from connectors.simulator.graph.app import GraphApp
from connectors.simulator.server import Simulator, SimulatorServer
from inbox.models import ChannelAccount, Team
from tests.connectors.facebook_support import PAGE_ID, PAGE_NAME, TOKEN
from tests.connectors.worker_support import WorkerProcess
from tests.web.servers import AsgiServer
from tests.webhooks.support import APP_SECRET, VERIFY_TOKEN, page_account

# Polls every few seconds even while webhooks are healthy, so a test sees reconciliation.
ENV = {
    "SVAR_META_APP_SECRET": APP_SECRET,
    "SVAR_META_WEBHOOK_VERIFY_TOKEN": VERIFY_TOKEN,
    "SVAR_WEBHOOK_SAFETY_POLL_SECONDS": "3",
    "SVAR_WEBHOOK_GAP_GRACE_SECONDS": "0",
}


@dataclass
class WebhookStack:
    server: AsgiServer
    sim: SimulatorServer
    graph: GraphApp
    worker: WorkerProcess
    account: ChannelAccount

    @property
    def webhook_url(self) -> str:
        return f"{self.server.origin}/webhooks/meta"

    def webhooks(self, **knobs: Any) -> dict[str, Any]:
        """Configure the simulator's deliveries over its control API."""
        options = {"url": self.webhook_url, "app_secret": APP_SECRET, **knobs}
        response = requests.post(f"{self.sim.base_url}/_sim/graph/webhooks", json=options,
                                 timeout=5)  # fmt: skip
        response.raise_for_status()
        return response.json()

    def report(self) -> dict[str, Any]:
        return requests.get(f"{self.sim.base_url}/_sim/graph/webhooks", timeout=5).json()


@pytest.fixture
def web_processes() -> int:
    """uvicorn worker processes (a module overrides this fixture to serve more)."""
    return 1


@pytest.fixture
def webhook_stack(
    transactional_db: None, team: Team, monkeypatch: pytest.MonkeyPatch, web_processes: int
) -> Iterator[WebhookStack]:
    django_rq.get_connection("default").flushdb()
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)  # the web process and the worker read them
    graph = GraphApp()
    graph.add_page(PAGE_ID, PAGE_NAME, TOKEN)
    sim = SimulatorServer(Simulator([graph])).start()
    account = page_account(team, sim.base_url, monkeypatch)
    server = AsgiServer(workers=web_processes).start()
    worker = WorkerProcess("default", "polling", name="webhooks")  # inherits ENV
    try:
        yield WebhookStack(server, sim, graph, worker, account)
    finally:
        worker.stop()
        server.stop()
        sim.stop()


def eventually(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)
