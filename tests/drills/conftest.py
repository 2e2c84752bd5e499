"""Fixtures for the drills."""

from collections.abc import Iterator

import pytest

from tests.drills.private_servers import PrivatePostgres
from tests.web.conftest import channel_prefix  # noqa: F401 (the live inbox's private prefix)


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    """A private PostgreSQL with Svar's schema, which the drill may restart at will."""
    server = PrivatePostgres().start()
    try:
        server.migrate({})
        yield server
    finally:
        server.stop()
