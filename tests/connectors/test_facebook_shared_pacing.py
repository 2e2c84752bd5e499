"""The Conversations API budget (2 calls/s per Page) holds across worker processes: their
pacers share it through Redis, and fall back to pacing each process alone without Redis."""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from redis import Redis

from connectors.facebook import client as graph_client
from connectors.facebook.client import Pacer, SharedPacer, conversations_pacer_for
from tests.connectors import facebook_support
from tests.connectors.facebook_support import PAGE_ID
from tests.connectors.pacing_support import conversations_calls

graph_server = facebook_support.graph_server
graph = facebook_support.graph

CALLS_PER_PROCESS = 3


@pytest.fixture
def redis() -> Iterator[Redis]:
    connection = Redis.from_url(settings.REDIS_URL)
    for key in connection.scan_iter(f"{graph_client.SHARED_KEY_PREFIX}:*"):
        connection.delete(key)
    yield connection
    graph_client.share_pacing_through(None)


def _two_processes(base_url: str, redis_url: str | None) -> list[str]:
    context = multiprocessing.get_context("spawn")  # two fresh interpreters, as two workers
    start, results = context.Barrier(2), context.Queue()
    processes = [
        context.Process(
            target=conversations_calls,
            args=(base_url, redis_url, start, CALLS_PER_PROCESS, results),
        )
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    return [outcome for each in outcomes for outcome in each]


def test_two_processes_sharing_the_budget_through_redis_stay_inside_it(graph, redis):
    outcomes = _two_processes(graph.base_url, settings.REDIS_URL)

    assert outcomes == ["ok"] * 2 * CALLS_PER_PROCESS
    assert len(graph.calls()) == 2 * CALLS_PER_PROCESS


def test_two_processes_pacing_alone_exceed_the_budget(graph, redis):
    """The case the shared pacer exists for: each process alone keeps 2/s, together not."""
    outcomes = _two_processes(graph.base_url, None)

    assert "error 32" in outcomes


def test_the_shared_pacer_counts_each_call_from_its_end(redis):
    interval, burst = 0.05, 2
    pacer = SharedPacer(redis, "svar:pace:test", interval, burst, fallback=Pacer(interval, burst))
    calls = []
    for _ in range(6):
        pacer.wait()
        started = time.time()
        time.sleep(0.01)  # the call
        calls.append((started, time.time()))
        pacer.done()

    for earlier, later in zip(calls, calls[burst:], strict=False):
        # Redis's clock and time.time() are the same host clock.
        assert later[0] >= earlier[1] + burst * interval
    assert redis.pttl("svar:pace:test") > 0  # the key expires once the Page goes quiet


def test_without_redis_each_process_paces_alone(caplog):
    unreachable = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5, socket_timeout=0.5)
    interval = 0.1
    pacer = SharedPacer(unreachable, "svar:pace:test", interval, 1, fallback=Pacer(interval, 1))

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="connectors.facebook.shared_pacing"):
        for _ in range(3):
            pacer.wait()
            pacer.done()

    assert time.monotonic() - started >= 2 * interval  # still paced, by the process's pacer
    assert sum("Redis unreachable" in r.getMessage() for r in caplog.records) == 1


def test_a_redis_that_comes_back_is_used_again(redis):
    interval = 0.05
    pacer = SharedPacer(redis, "svar:pace:test", interval, 1, fallback=Pacer(interval, 1))
    reserve = pacer._reserve
    pacer._reserve = _failing_once(reserve)

    pacer.wait()  # Redis refuses: the process pacer takes this call
    pacer.done()
    assert not redis.exists("svar:pace:test")
    pacer.wait()  # Redis answers again
    pacer.done()
    assert redis.zcard("svar:pace:test") == 1


def test_workers_get_a_shared_pacer_per_page(redis):
    graph_client.share_pacing_through(settings.REDIS_URL)
    pacer = conversations_pacer_for(PAGE_ID, "http://127.0.0.1:9")

    assert isinstance(pacer, SharedPacer)
    assert pacer is conversations_pacer_for(PAGE_ID, "http://127.0.0.1:9")
    graph_client.share_pacing_through(None)
    assert isinstance(conversations_pacer_for(PAGE_ID, "http://127.0.0.1:9"), Pacer)


def _failing_once(script):
    from redis.exceptions import ConnectionError as RedisConnectionError

    failed = []

    def call(*args, **kwargs):
        if not failed:
            failed.append(True)
            raise RedisConnectionError("Redis restarting")
        return script(*args, **kwargs)

    return call
