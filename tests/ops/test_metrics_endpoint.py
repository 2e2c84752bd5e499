"""``GET /metrics`` tells operators, in Prometheus' text format, how deep the queues are, how
far behind each channel account is, which replies wait or failed, and how many WebSockets
this process holds; only for the bearer of SVAR_METRICS_TOKEN (or loopback when unset)."""

from __future__ import annotations

import re

import django_rq
import pytest
from django.test import Client

from inbox.models import ChannelAccount
from inbox.services import reply_create
from inbox.services.delivery import reply_delivery_failed
from tests.web.live import opened, run, session_cookie
from web.ws import stats as ws_stats

pytestmark = pytest.mark.django_db
SAMPLE = re.compile(r"^(?P<name>[a-z_]+)(?:\{(?P<labels>.*)\})? (?P<value>-?[0-9.e+]+)$")


def scrape(*, address: str = "127.0.0.1", **headers: str) -> tuple[int, str]:
    response = Client().get("/metrics", REMOTE_ADDR=address, **headers)
    return response.status_code, response.content.decode()


def samples(text: str) -> dict[tuple[str, str], float]:
    """{(name, raw label text): value}; fails on any line that is not valid exposition."""
    found = {}
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            continue
        match = SAMPLE.match(line)
        assert match, f"not a Prometheus sample: {line!r}"
        found[(match["name"], match["labels"] or "")] = float(match["value"])
    return found


@pytest.mark.django_db(transaction=True)  # django_rq enqueues on commit
def test_queues_accounts_and_replies_are_reported(clean_queues, agent, conversation, x_account):
    queue = django_rq.get_queue("polling")
    for n in range(3):
        queue.enqueue("connectors.jobs.poll_account", n)
    ChannelAccount.objects.filter(pk=x_account.pk).update(
        lag_seconds=42.5, health="degraded", consecutive_failures=2,
        display_name='@skat "test"\nline',
    )  # fmt: skip
    kept = reply_create(user=agent.user, conversation_id=conversation.pk, body="Et svar")
    failed = reply_create(user=agent.user, conversation_id=conversation.pk, body="Et andet")
    reply_delivery_failed(message_id=failed.pk, reason="X said no")
    assert kept.delivery_state == "queued"

    status, text = scrape()

    assert status == 200
    found = samples(text)
    labels = f'account="{x_account.pk}",platform="x",name="@skat \\"test\\"\\nline"'
    assert found[("svar_redis_up", "")] == 1
    assert found[("svar_database_up", "")] == 1
    assert found[("svar_queue_depth", 'queue="polling"')] == 3
    assert found[("svar_queue_depth", 'queue="delivery"')] == 2  # both replies' jobs
    assert found[("svar_queue_failed_jobs", 'queue="delivery"')] == 0
    assert found[("svar_account_poll_lag_seconds", labels)] == 42.5
    assert found[("svar_account_consecutive_poll_failures", labels)] == 2
    assert found[("svar_account_health", labels + ',state="degraded"')] == 1
    assert found[("svar_account_health", labels + ',state="healthy"')] == 0
    assert found[("svar_replies", 'state="queued"')] == 1
    assert found[("svar_replies", 'state="failed"')] == 1
    assert "# TYPE svar_websocket_connections gauge" in text


def test_without_a_token_only_this_machine_may_scrape(monkeypatch):
    monkeypatch.delenv("SVAR_METRICS_TOKEN", raising=False)
    assert scrape(address="127.0.0.1")[0] == 200
    assert scrape(address="::1")[0] == 200
    assert scrape(address="203.0.113.9")[0] == 403


def test_with_a_token_only_its_bearer_may_scrape_from_anywhere(monkeypatch):
    monkeypatch.setenv("SVAR_METRICS_TOKEN", "scrape-secret-0123456789")
    assert scrape(address="127.0.0.1")[0] == 403
    assert scrape(HTTP_AUTHORIZATION="Bearer wrong")[0] == 403
    status, _ = scrape(
        address="10.0.0.7",
        HTTP_AUTHORIZATION="Bearer scrape-secret-0123456789",
        HTTP_HOST="10.0.0.5:8000",  # by address, not an allowed host name
    )
    assert status == 200


@pytest.mark.django_db(transaction=True)
def test_websocket_connections_of_this_process_are_counted(agent, channel_prefix):
    cookie = session_cookie(agent.user)
    before_open, before_total = ws_stats.open_connections(), ws_stats.accepted_total()

    async def scenario() -> None:
        socket = await opened(cookie)
        assert ws_stats.open_connections() == before_open + 1
        await socket.disconnect()

    run(scenario)

    assert ws_stats.open_connections() == before_open
    assert ws_stats.accepted_total() == before_total + 1
