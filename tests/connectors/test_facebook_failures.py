"""How Graph failures reach the job layer: as connectors.errors, never as facebook-sdk types."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import facebook
import pytest
import requests

from connectors.errors import AuthExpired, PlatformUnavailable, RateLimited, TargetGone
from connectors.facebook.client import GRAPH_VERSION
from connectors.facebook.usage import retry_after
from connectors.simulator.faults import FaultKind
from tests.connectors import facebook_support
from tests.connectors.facebook_support import KIRSTEN, PAGE_ID, TOKEN, ago, comment_reply

graph_server = facebook_support.graph_server
graph = facebook_support.graph

FEED = f"/{GRAPH_VERSION}/{PAGE_ID}/feed"


@pytest.fixture
def busy_page(graph):
    post = graph.app.add_post(PAGE_ID, "Opslag", created_time=ago(hours=1))
    graph.app.add_comment(post["id"], KIRSTEN, "Hej", created_time=ago(minutes=5))
    return graph


def test_a_page_rate_limit_stops_all_calls_until_the_reset(busy_page):
    busy_page.fault(FaultKind.RATE_LIMIT, path=FEED, reset_after_seconds=300)
    connector = busy_page.connector()

    with pytest.raises(RateLimited) as caught:
        connector.fetch({})

    assert caught.value.__cause__.code == 32
    # The reset comes from X-Business-Use-Case-Usage's estimated_time_to_regain_access.
    expected = datetime.now(UTC) + timedelta(minutes=5)
    assert abs(caught.value.reset_at - expected) < timedelta(seconds=10)
    assert busy_page.calls() == [f"GET {FEED}"]  # Messenger was not tried after the refusal

    with pytest.raises(RateLimited):
        connector.fetch({})
    assert len(busy_page.calls()) == 1  # no call at all before the reset


def test_a_rate_limit_without_a_usage_estimate_still_backs_off(busy_page):
    busy_page.fault(FaultKind.RATE_LIMIT, path=FEED, reset_after_seconds=0, remaining=1)

    with pytest.raises(RateLimited) as caught:
        busy_page.connector().fetch({})

    assert caught.value.reset_at > datetime.now(UTC) + timedelta(seconds=30)


def test_the_simulator_enforces_two_conversations_calls_per_second(graph):
    """What the connector's pacing protects against: raw calls past 2/s get error 32."""
    url = f"{graph.base_url}/{GRAPH_VERSION}/{PAGE_ID}/conversations"
    answers = [
        requests.get(url, params={"access_token": TOKEN, "platform": "messenger"}, timeout=5)
        for _ in range(3)
    ]

    assert "error" not in answers[0].json()
    assert answers[2].json()["error"]["code"] == 32
    assert "X-Business-Use-Case-Usage" in answers[2].headers


def test_a_maintenance_page_in_html_is_a_transient_failure(busy_page):
    busy_page.fault(FaultKind.SERVER_ERROR_HTML, path=FEED)

    with pytest.raises(PlatformUnavailable) as caught:
        busy_page.connector().fetch({})

    assert isinstance(caught.value.__cause__, facebook.GraphAPIError)
    assert "Maintype was not text" in str(caught.value.__cause__)


def test_a_503_with_retry_after_says_when_to_come_back_and_the_next_failure_forgets_it(
    busy_page,
):
    busy_page.fault(FaultKind.SERVER_ERROR_HTML, path=FEED, remaining=1, retry_after_seconds=90)
    busy_page.fault(FaultKind.SLOW, path=FEED, remaining=1, delay_seconds=1.0)
    connector = busy_page.connector(timeout=0.3)

    with pytest.raises(PlatformUnavailable) as caught:
        connector.fetch({})
    assert caught.value.retry_at is not None
    assert caught.value.retry_at >= datetime.now(UTC) + timedelta(seconds=85)

    with pytest.raises(PlatformUnavailable) as timed_out:  # no answer: no Retry-After of its own
        connector.fetch({})
    assert timed_out.value.retry_at is None


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    assert retry_after("120", now) == now + timedelta(seconds=120)
    assert retry_after("Fri, 01 May 2026 12:05:00 GMT", now) == now + timedelta(minutes=5)
    assert retry_after("soon", now) is None
    assert retry_after(None, now) is None


def test_truncated_json_is_a_transient_failure(busy_page):
    busy_page.fault(FaultKind.MALFORMED_JSON, path=FEED)

    with pytest.raises(PlatformUnavailable, match="unreadable JSON"):
        busy_page.connector().fetch({})


def test_a_hung_server_times_out_as_a_transient_failure(busy_page):
    busy_page.fault(FaultKind.SLOW, path=FEED, delay_seconds=2.0)

    with pytest.raises(PlatformUnavailable) as caught:
        busy_page.connector(timeout=0.3).fetch({})

    assert isinstance(caught.value.__cause__, requests.Timeout)


def test_an_expired_token_is_reported_as_auth_expired(busy_page):
    busy_page.fault(FaultKind.EXPIRED_TOKEN, path=FEED)

    with pytest.raises(AuthExpired, match="190/463"):
        busy_page.connector().fetch({})


def test_a_revoked_or_unknown_token_is_reported_as_auth_expired(busy_page):
    with pytest.raises(AuthExpired, match="190"):
        busy_page.connector(token="not-a-token").fetch({})

    busy_page.app.expire_token(facebook_support.TOKEN)
    with pytest.raises(AuthExpired, match="190/463"):
        busy_page.connector().fetch({})


def test_replying_to_a_deleted_comment_reports_the_target_gone(graph):
    post = graph.app.add_post(PAGE_ID, "Opslag", created_time=ago(hours=1))
    comment = graph.app.add_comment(post["id"], KIRSTEN, "Slettes snart")
    graph.app.delete_comment(comment["id"])

    with pytest.raises(TargetGone, match="does not exist"):
        graph.connector().send(comment_reply(comment, "Tak for din besked"))

    assert graph.app.page_replies(PAGE_ID)["comments"] == []


def test_the_sdk_base_url_constant_is_never_patched(busy_page):
    busy_page.connector().fetch({})

    assert facebook.FACEBOOK_GRAPH_URL == "https://graph.facebook.com/"
