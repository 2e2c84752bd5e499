"""Fixtures for the X connector tests: a real simulator on a free port, real tweepy over HTTP.

Each ``test_twitter_*`` module defines its ``x_sim`` fixture with :func:`start` (not a shared
conftest, so other platforms' tests keep their own fixtures).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import requests

from connectors.simulator import demo
from connectors.simulator.faults import Fault, FaultKind
from connectors.simulator.server import Simulator, SimulatorServer
from connectors.simulator.x.app import XApp
from connectors.twitter.connector import XConnector

ME = demo.X_ACCOUNT_ID
CUSTOMER = {"id": "2244994945", "username": "mette_k", "name": "Mette Kristensen"}
OTHER = {"id": "783214", "username": "lars_h", "name": "Lars Hansen"}


@dataclass
class XSim:
    app: XApp
    server: SimulatorServer

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def fault(self, kind: FaultKind, **options: object) -> None:
        self.server.simulator.faults.add(Fault(kind=kind, platform="x", **options))

    def connector(self, **options: object) -> XConnector:
        return XConnector(ME, demo.X_TOKEN, base_url=self.base_url, **options)

    def state(self) -> dict:
        return requests.get(f"{self.base_url}/_sim/state", timeout=5).json()["x"]

    def calls(self, path_part: str = "") -> list[tuple[str, str]]:
        return [c for c in self.app.request_log() if path_part in c[1]]


def start(app: XApp) -> Iterator[XSim]:
    app.add_account(ME, demo.X_ACCOUNT_USERNAME, demo.X_ACCOUNT_NAME, demo.X_TOKEN)
    server = SimulatorServer(Simulator([app])).start()
    try:
        yield XSim(app=app, server=server)
    finally:
        server.stop()
