"""When X says no: every failure becomes one clear connector error, and nothing hangs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from connectors.errors import AuthExpired, PlatformRejected, PlatformUnavailable, RateLimited
from connectors.simulator import demo
from connectors.simulator.faults import FaultKind
from connectors.simulator.x.app import XApp
from connectors.twitter.connector import XConnector
from tests.connectors.twitter_support import CUSTOMER, ME, XSim, start


@pytest.fixture
def tight_sim() -> Iterator[XSim]:
    yield from start(XApp(limits={"GET /2/users/:id/mentions": 2}))


def test_a_429_raises_rate_limited_until_xs_reset_time_without_calling_again(
    x_sim: XSim,
) -> None:
    x_sim.fault(FaultKind.RATE_LIMIT, path_prefix="/2/users/", reset_after_seconds=420)
    expected_reset = int(time.time()) + 420

    with pytest.raises(RateLimited) as raised:
        x_sim.connector().fetch({})

    assert abs(raised.value.reset_at.timestamp() - expected_reset) <= 1
    assert raised.value.reset_at.tzinfo is not None
    assert len(x_sim.app.request_log()) == 1  # neither a retry nor the DM endpoint


def test_a_spent_budget_answers_429_with_the_windows_reset(tight_sim: XSim) -> None:
    connector = tight_sim.connector()
    first = connector.fetch({})
    second = connector.fetch(first.cursor)

    with pytest.raises(RateLimited) as raised:
        connector.fetch(second.cursor)

    assert (first.rate_limit_remaining, second.rate_limit_remaining) == (1, 0)
    assert raised.value.reset_at == second.rate_limit_reset_at
    assert len(tight_sim.calls("/mentions")) == 3


def test_a_503_with_an_html_body_is_platform_unavailable(x_sim: XSim) -> None:
    x_sim.fault(FaultKind.SERVER_ERROR_HTML, remaining=1)

    with pytest.raises(PlatformUnavailable, match="503"):
        x_sim.connector().fetch({})


def test_truncated_json_is_platform_unavailable(x_sim: XSim) -> None:
    x_sim.app.add_mention(ME, CUSTOMER, "hej")
    x_sim.fault(FaultKind.MALFORMED_JSON, path_prefix="/2/users/", remaining=1)

    with pytest.raises(PlatformUnavailable, match="JSON"):
        x_sim.connector().fetch({})


def test_a_server_slower_than_the_timeout_is_platform_unavailable_not_a_hang(
    x_sim: XSim,
) -> None:
    x_sim.fault(FaultKind.SLOW, delay_seconds=3, remaining=1)
    started = time.monotonic()

    with pytest.raises(PlatformUnavailable, match="Timeout"):
        x_sim.connector(timeout=0.3).fetch({})

    assert time.monotonic() - started < 2


def test_an_expired_token_is_auth_expired(x_sim: XSim) -> None:
    x_sim.fault(FaultKind.EXPIRED_TOKEN, remaining=1)

    with pytest.raises(AuthExpired, match="401"):
        x_sim.connector().fetch({})


def test_an_unknown_token_is_auth_expired(x_sim: XSim) -> None:
    connector = XConnector(ME, "revoked-token", base_url=x_sim.base_url)

    with pytest.raises(AuthExpired):
        connector.fetch({})


def test_an_account_id_x_does_not_know_is_platform_rejected(x_sim: XSim) -> None:
    connector = XConnector("1999999999999999999", demo.X_TOKEN, base_url=x_sim.base_url)

    with pytest.raises(PlatformRejected, match="Could not find user"):
        connector.fetch({})


def test_nothing_listens_is_platform_unavailable() -> None:
    connector = XConnector(ME, demo.X_TOKEN, base_url="http://127.0.0.1:9", timeout=1)

    with pytest.raises(PlatformUnavailable, match="ConnectionError"):
        connector.fetch({})


def test_after_the_fault_the_next_poll_succeeds(x_sim: XSim) -> None:
    tweet = x_sim.app.add_mention(ME, CUSTOMER, "hej")
    x_sim.fault(FaultKind.SERVER_ERROR_HTML, remaining=1)
    connector = x_sim.connector()
    with pytest.raises(PlatformUnavailable):
        connector.fetch({})

    result = connector.fetch({})

    assert [m.external_id for m in result.messages] == [tweet["id"]]
    assert result.rate_limit_reset_at is not None
    assert result.rate_limit_reset_at > datetime.now(UTC)
