"""Fixtures for the drills."""

from collections.abc import Iterator

import pytest

from tests.connectors.worker_support import WorkerProcess
from tests.drills.private_servers import PrivatePostgres
from tests.web.conftest import channel_prefix  # noqa: F401 (the live inbox's private prefix)
from tests.web.servers import AsgiServer


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    """A private PostgreSQL with Svar's schema, which the drill may restart at will."""
    server = PrivatePostgres().start()
    try:
        server.migrate({})
        yield server
    finally:
        server.stop()


@pytest.fixture
def topology(channel_prefix: str, clean_queues: None) -> Iterator[tuple[list, list]]:  # noqa: F811
    """Two web processes and two workers on the test's database and Redis, as
    ``compose up --scale web=2 --scale worker=2`` runs them."""
    webs = [AsgiServer().start(), AsgiServer().start()]
    workers = [WorkerProcess(name=f"scaled-{n}") for n in range(2)]
    yield webs, workers
    for worker in workers:
        worker.stop()
    for web in webs:
        web.stop()
