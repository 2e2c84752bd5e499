"""Shared fixtures. Tests run against a real PostgreSQL and Redis: the machine's when
DATABASE_URL / REDIS_URL are set, otherwise Svar's embedded servers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import django_rq
import pytest
from rest_framework.test import APIClient

from connectors.simulator.x.app import XApp
from inbox.events import doorbell, wire
from inbox.models import Agent, ChannelAccount, Conversation, Team
from inbox.permissions.roles import Role
from inbox.selectors import search_walk
from inbox.services import messages_ingest

# The CI rule: a skipped browser spec fails under CI=true (see tests/ci_rules.py).
from tests.ci_rules import pytest_collection_modifyitems, pytest_runtest_makereport  # noqa: F401
from tests.connectors.twitter_support import XSim, start
from tests.factories import AgentFactory, ChannelAccountFactory, TeamFactory, inbound


@pytest.fixture
def published(
    monkeypatch: pytest.MonkeyPatch, transactional_db: None
) -> Iterator[list[dict[str, Any]]]:
    """Every event announced after commit, in the wire form clients receive. Real commits are
    needed for on_commit to run, so a test that asks for this fixture is transactional."""
    captured: list[dict[str, Any]] = []

    def capture(rows: Any) -> None:
        captured.extend(wire.event_message(row) for row in rows)

    monkeypatch.setattr(doorbell, "ring", capture)
    return captured


@pytest.fixture(autouse=True)
def _fresh_word_statistics() -> Iterator[None]:
    """The search's word statistics are cached per process; each test reads its own."""
    search_walk.forget_statistics()
    yield
    search_walk.forget_statistics()


@pytest.fixture
def team(db: None) -> Team:
    return TeamFactory(name="Skat")


@pytest.fixture
def other_team(db: None) -> Team:
    return TeamFactory(name="Told")


@pytest.fixture
def x_account(team: Team) -> ChannelAccount:
    return ChannelAccountFactory(team=team, display_name="@skattefar", handle="skattefar")


@pytest.fixture
def agent(team: Team) -> Agent:
    return AgentFactory(
        public_name="Mette Jensen",
        initials="MJ",
        teams=[team],
        signatures={"x": " /Mette", "facebook": "\n\nVenlig hilsen Mette, Kundeservice"},
    )


@pytest.fixture
def colleague(team: Team) -> Agent:
    return AgentFactory(public_name="Lars Holm", initials="LH", teams=[team])


@pytest.fixture
def outsider(other_team: Team) -> Agent:
    return AgentFactory(public_name="Ole Told", initials="OT", teams=[other_team])


@pytest.fixture
def admin_agent(db: None) -> Agent:
    return AgentFactory(public_name="Ada Admin", initials="AA", role=Role.ADMIN)


@pytest.fixture
def manager(team: Team) -> Agent:
    return AgentFactory(public_name="Maja Manager", teams=[team], role=Role.MANAGER)


@pytest.fixture
def conversation(x_account: ChannelAccount) -> Conversation:
    """One customer's conversation on the team's X account, opened by one inbound message."""
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="t1", external_id="101")])
    return Conversation.objects.get(account=x_account)


def api_client_for(agent: Agent) -> APIClient:
    client = APIClient()
    client.force_authenticate(agent.user)
    return client


@pytest.fixture
def api(agent: Agent) -> APIClient:
    return api_client_for(agent)


@pytest.fixture
def x_sim() -> Iterator[XSim]:
    """The simulated X API with Svar's demo account, on a free port of its own."""
    yield from start(XApp())


@pytest.fixture
def clean_queues() -> Iterator[None]:
    """No RQ job left over from another test, before or after this one."""
    connection = django_rq.get_connection("default")
    connection.flushdb()
    yield
    connection.flushdb()
