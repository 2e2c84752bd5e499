"""The demo traffic generator and the simulator's command line."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from twitter_text import parse_tweet

from connectors.simulator import demo
from connectors.simulator.__main__ import demo_world
from connectors.simulator.server import Simulator, SimulatorServer
from connectors.simulator.traffic import FOLLOW_UPS, QUESTIONS, Injected, TrafficGenerator
from connectors.twitter.connector import XConnector

REPO = Path(__file__).resolve().parents[2]


def run(seed: int, steps: int = 60) -> list[Injected]:
    x, graph = demo_world()
    generator = TrafficGenerator(x, graph, seed=seed)
    return [generator.step() for _ in range(steps)]


def content(items: list[Injected]) -> list[tuple[str, str, str, bool]]:
    return [(i.channel, i.citizen, i.text, i.follow_up) for i in items]


def test_the_same_seed_gives_the_same_traffic() -> None:
    assert content(run(seed=7)) == content(run(seed=7))
    assert content(run(seed=7)) != content(run(seed=8))


def test_traffic_covers_every_channel_and_language_with_follow_ups_emoji_and_links() -> None:
    items = run(seed=1)
    texts = {i.text for i in items}
    languages = {
        lang for lang, pool in {**QUESTIONS}.items() if texts & (set(pool) | set(FOLLOW_UPS[lang]))
    }

    assert {i.channel for i in items} == {
        "x_mention",
        "x_dm",
        "facebook_comment",
        "messenger",
        "instagram_comment",
        "instagram_dm",
    }
    assert languages == {"da", "sv", "no", "en"}
    assert any(i.follow_up for i in items)
    assert any(re.search(r"https?://", t) for t in texts)
    assert any(re.search("[\U0001f300-\U0001faff]", t) for t in texts)


def test_an_x_follow_up_is_a_reply_in_the_citizens_thread() -> None:
    x, graph = demo_world()
    generator = TrafficGenerator(x, graph, seed=3)
    items = [generator.step() for _ in range(80)]
    follow_up = next(i for i in items if i.channel == "x_mention" and i.follow_up)

    tweet = x.state.tweets[follow_up.ref]

    assert tweet["referenced_tweets"][0]["type"] == "replied_to"
    assert tweet["conversation_id"] != tweet["id"]


def test_every_generated_tweet_fits_in_a_tweet() -> None:
    x, graph = demo_world()
    generator = TrafficGenerator(x, graph, seed=5)
    for _ in range(60):
        generator.step()
    for tweet in x.state.tweets.values():
        assert parse_tweet(tweet["text"]).valid, tweet["text"]


def test_the_x_connector_reads_everything_the_traffic_put_on_x() -> None:
    x, graph = demo_world()
    generator = TrafficGenerator(x, graph, seed=11)
    injected = [generator.step() for _ in range(40)]
    server = SimulatorServer(Simulator([x, graph])).start()
    try:
        connector = XConnector(demo.X_ACCOUNT_ID, demo.X_TOKEN, base_url=server.base_url)
        result = connector.fetch({})
    finally:
        server.stop()

    on_x = {i.ref for i in injected if i.channel.startswith("x_")}
    assert {m.external_id for m in result.messages} == on_x
    assert result.rejected == ()


@pytest.fixture
def simulator_process() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "connectors.simulator",
            "--port",
            str(port),
            "--traffic-per-minute",
            "600",
        ],  # fmt: skip
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_backlog_is_waiting_before_any_traffic_flows() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "connectors.simulator", "--port", str(port), "--backlog", "12"]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        state = _wait_for_traffic(f"http://127.0.0.1:{port}")
        x_items = state["x"]["tweets"] + state["x"]["dm_events"]
        assert 0 < x_items <= 12
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_command_line_serves_the_demo_world_with_traffic_and_stops_cleanly(
    simulator_process: tuple[subprocess.Popen[bytes], str],
) -> None:
    process, base_url = simulator_process
    state = _wait_for_traffic(base_url)

    assert [a["username"] for a in state["x"]["accounts"]] == [demo.X_ACCOUNT_USERNAME]
    assert demo.FACEBOOK_PAGE_ID in str(state["graph"])

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


def _wait_for_traffic(base_url: str, seconds: float = 15) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = requests.get(f"{base_url}/_sim/state", timeout=1).json()
        except requests.ConnectionError:
            state = None
        if state and state["x"]["tweets"] + state["x"]["dm_events"] > 0:
            return state
        time.sleep(0.1)
    raise AssertionError("the simulator never served traffic")
