"""The simulator's X injection API over HTTP (what the traffic generator and other tools use)."""

from __future__ import annotations

import requests

from connectors.base import ThreadKind
from tests.connectors.twitter_support import CUSTOMER, ME, XSim


def control(sim: XSim, method: str, path: str, body: dict | None = None) -> requests.Response:
    return requests.request(method, f"{sim.base_url}/_sim/x/{path}", json=body, timeout=5)


def test_mentions_and_dms_injected_over_http_are_read_by_the_connector(x_sim: XSim) -> None:
    mention = control(x_sim, "POST", "mentions", {
        "account_user_id": ME, "author": CUSTOMER, "text": "Hej @skattefar_demo 👋",
        "created_at": "2026-03-02T10:00:00+00:00",
    }).json()  # fmt: skip
    follow_up = control(x_sim, "POST", "mentions", {
        "account_user_id": ME, "author": CUSTOMER, "text": "Hallo?",
        "in_reply_to_tweet_id": mention["id"],
    }).json()  # fmt: skip
    dm = control(x_sim, "POST", "dms", {"account_user_id": ME, "sender": CUSTOMER, "text": "Hej"})

    messages = {m.external_id: m for m in x_sim.connector().fetch({}).messages}

    assert mention["created_at"] == "2026-03-02T10:00:00.000Z"
    assert messages[mention["id"]].body == "Hej @skattefar_demo 👋"  # already mentions us
    assert messages[follow_up["id"]].thread_external_id == mention["id"]
    assert messages[dm.json()["id"]].kind is ThreadKind.PRIVATE


def test_a_deleted_tweet_leaves_the_mentions_timeline(x_sim: XSim) -> None:
    tweet = x_sim.app.add_mention(ME, CUSTOMER, "fortrudt")

    assert control(x_sim, "DELETE", f"tweets/{tweet['id']}").status_code == 200
    assert control(x_sim, "DELETE", f"tweets/{tweet['id']}").status_code == 404
    assert x_sim.connector().fetch({}).messages == ()
    assert x_sim.state()["deleted_tweets"] == [tweet["id"]]


def test_accounts_and_malformed_items_can_be_added_over_http(x_sim: XSim) -> None:
    added = control(x_sim, "POST", "accounts", {
        "user_id": "1600000000000000002", "username": "skatteverket_demo",
        "name": "Skatteverket (demo)", "token": "se-token",
    })  # fmt: skip
    bad = control(x_sim, "POST", "malformed_mentions", {
        "account_user_id": ME, "raw": {"id": "1700000000000000000", "text": "?"},
    })  # fmt: skip

    assert added.status_code == bad.status_code == 201
    assert [r.reason for r in x_sim.connector().fetch({}).rejected] == ["missing author_id"]
    assert "skatteverket_demo" in str(x_sim.state()["accounts"])
