"""Reading X: mentions and DMs become InboundMessages; the cursor moves only past what was read."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import requests
import tweepy

from connectors.base import ContactRef, ThreadKind
from connectors.simulator.faults import FaultKind
from connectors.twitter.client import build_client
from tests.connectors.twitter_support import CUSTOMER, ME, OTHER, XSim


def test_a_mention_arrives_as_a_public_message_threaded_by_its_conversation(x_sim: XSim) -> None:
    sent_at = datetime(2026, 3, 2, 9, 15, 30, 250_000, tzinfo=UTC)
    tweet = x_sim.app.add_mention(
        ME, CUSTOMER, "Hvornår kommer min årsopgørelse?", created_at=sent_at
    )

    result = x_sim.connector().fetch({})

    [message] = result.messages
    assert message.external_id == tweet["id"]
    assert message.thread_external_id == tweet["conversation_id"] == tweet["id"]
    assert message.kind is ThreadKind.PUBLIC
    assert message.author == ContactRef(CUSTOMER["id"], CUSTOMER["name"], CUSTOMER["username"])
    assert message.body == "@skattefar_demo Hvornår kommer min årsopgørelse?"
    assert message.sent_at == sent_at
    assert message.from_account is False
    assert result.cursor["mentions_since_id"] == tweet["id"]


def test_a_follow_up_stays_in_its_conversation_and_names_what_it_answers(x_sim: XSim) -> None:
    first = x_sim.app.add_mention(ME, CUSTOMER, "Jeg har et spørgsmål om fradrag")
    follow_up = x_sim.app.add_mention(
        ME, CUSTOMER, "...og om befordring 🚗", in_reply_to_tweet_id=first["id"]
    )

    messages = {m.external_id: m for m in x_sim.connector().fetch({}).messages}

    assert messages[follow_up["id"]].thread_external_id == first["id"]
    assert messages[follow_up["id"]].in_reply_to_external_id == first["id"]


def test_mentions_are_read_across_pages_and_the_next_poll_asks_only_for_newer(
    x_sim: XSim,
) -> None:
    tweets = [x_sim.app.add_mention(ME, CUSTOMER, f"spørgsmål {n}") for n in range(12)]
    connector = x_sim.connector(page_size=5)

    first = connector.fetch({})

    assert sorted(m.external_id for m in first.messages) == sorted(t["id"] for t in tweets)
    assert first.cursor == {"mentions_since_id": tweets[-1]["id"]}
    assert len(x_sim.calls("/mentions")) == 3  # 5 + 5 + 2

    newer = [x_sim.app.add_mention(ME, OTHER, f"ny {n}") for n in range(2)]
    second = connector.fetch(first.cursor)

    assert [m.external_id for m in second.messages] == [t["id"] for t in reversed(newer)]
    assert second.cursor == {"mentions_since_id": newer[-1]["id"]}


def test_an_empty_poll_keeps_the_cursor(x_sim: XSim) -> None:
    tweet = x_sim.app.add_mention(ME, CUSTOMER, "hej")
    connector = x_sim.connector()
    cursor = connector.fetch({}).cursor

    again = connector.fetch(cursor)

    assert again.messages == ()
    assert again.cursor == {"mentions_since_id": tweet["id"]}


def test_a_backlog_beyond_the_page_cap_is_finished_on_the_next_polls(x_sim: XSim) -> None:
    backlog = [x_sim.app.add_mention(ME, CUSTOMER, f"gammel {n}") for n in range(12)]
    connector = x_sim.connector(page_size=5, max_pages=2)

    first = connector.fetch({})
    arriving_meanwhile = x_sim.app.add_mention(ME, OTHER, "ny")
    second = connector.fetch(first.cursor)
    third = connector.fetch(second.cursor)

    assert [m.external_id for m in first.messages] == [t["id"] for t in reversed(backlog[2:])]
    assert "mentions_since_id" not in first.cursor  # nothing is fully read yet
    assert [m.external_id for m in second.messages] == [backlog[1]["id"], backlog[0]["id"]]
    assert second.cursor == {"mentions_since_id": backlog[-1]["id"]}
    assert [m.external_id for m in third.messages] == [arriving_meanwhile["id"]]


def test_one_malformed_mention_is_rejected_with_its_raw_payload_and_the_rest_arrive(
    x_sim: XSim,
) -> None:
    before = x_sim.app.add_mention(ME, CUSTOMER, "først")
    raw = {"id": x_sim.app.state.next_id(), "text": "uden afsender",
           "created_at": "2026-03-02T09:00:00.000Z", "edit_history_tweet_ids": ["1"]}  # fmt: skip
    x_sim.app.add_malformed_mention(ME, raw)
    after = x_sim.app.add_mention(ME, OTHER, "bagefter")

    result = x_sim.connector().fetch({})

    assert {m.external_id for m in result.messages} == {before["id"], after["id"]}
    [rejected] = result.rejected
    assert rejected.reason == "missing author_id"
    assert json.loads(rejected.raw) == raw
    assert result.cursor == {"mentions_since_id": after["id"]}


def test_a_created_at_without_milliseconds_is_still_read(x_sim: XSim) -> None:
    """tweepy's own models reject the whole page for it; the connector parses items itself."""
    x_sim.app.add_mention(ME, CUSTOMER, "normal")
    odd = {"id": x_sim.app.state.next_id(), "text": "uden millisekunder", "author_id": OTHER["id"],
           "conversation_id": "1", "created_at": "2026-03-02T09:00:00Z",
           "edit_history_tweet_ids": ["1"]}  # fmt: skip
    x_sim.app.add_malformed_mention(ME, odd)

    plain_tweepy = build_client("x-demo-user-token", base_url=x_sim.base_url)
    plain_tweepy.return_type = tweepy.Response
    with pytest.raises(ValueError, match="does not match format"):
        plain_tweepy.get_users_mentions(ME, tweet_fields=["created_at"])

    result = x_sim.connector().fetch({})

    assert len(result.messages) == 2
    assert result.rejected == ()
    late = next(m for m in result.messages if m.external_id == odd["id"])
    assert late.sent_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_items_repeated_across_pages_are_passed_on_and_the_cursor_stays_right(
    x_sim: XSim,
) -> None:
    tweets = [x_sim.app.add_mention(ME, CUSTOMER, f"nr. {n}") for n in range(8)]
    x_sim.fault(FaultKind.DUPLICATE_ITEMS, path_prefix="/2/users/", remaining=1)

    result = x_sim.connector(page_size=5).fetch({})

    ids = [m.external_id for m in result.messages]
    assert len(ids) == 10  # page two repeats two items of page one: dedupe is the inbox's job
    assert set(ids) == {t["id"] for t in tweets}
    assert result.cursor == {"mentions_since_id": tweets[-1]["id"]}


def test_a_direct_message_arrives_as_a_private_message(x_sim: XSim) -> None:
    dm = x_sim.app.add_dm(ME, CUSTOMER, "Hej, jeg kan ikke logge ind på TastSelv 😕")

    result = x_sim.connector().fetch({})

    [message] = result.messages
    assert message.external_id == dm["id"]
    assert message.thread_external_id == f"dm:{dm['dm_conversation_id']}"
    assert message.kind is ThreadKind.PRIVATE
    assert message.author == ContactRef(CUSTOMER["id"], CUSTOMER["name"], CUSTOMER["username"])
    assert message.body == "Hej, jeg kan ikke logge ind på TastSelv 😕"
    assert result.cursor["dm_newest_id"] == dm["id"]


def test_dms_are_read_across_pages_and_the_next_poll_stops_at_what_it_knows(
    x_sim: XSim,
) -> None:
    old = [x_sim.app.add_dm(ME, CUSTOMER, f"besked {n}") for n in range(7)]
    connector = x_sim.connector(page_size=3)
    first = connector.fetch({})
    new = x_sim.app.add_dm(ME, OTHER, "ny besked")

    second = connector.fetch(first.cursor)

    assert sorted(m.external_id for m in first.messages) == sorted(d["id"] for d in old)
    assert [m.external_id for m in second.messages] == [new["id"]]
    assert second.cursor["dm_newest_id"] == new["id"]
    assert len(x_sim.calls("/dm_events")) == 3 + 1  # the second poll stops at its first page


def test_the_accounts_own_dm_comes_back_marked_as_ours_and_names_the_customer(
    x_sim: XSim,
) -> None:
    question = x_sim.app.add_dm(ME, CUSTOMER, "Hvad er fristen?")
    x_sim.app.state.create_dm(ME, CUSTOMER["id"], "Fristen er 1. maj /Mette")

    messages = x_sim.connector().fetch({}).messages

    ours = next(m for m in messages if m.from_account)
    assert ours.thread_external_id == f"dm:{question['dm_conversation_id']}"
    assert ours.author == ContactRef(CUSTOMER["id"], CUSTOMER["name"], CUSTOMER["username"])


def test_a_stale_dm_resume_token_restarts_from_the_newest_events(x_sim: XSim) -> None:
    dm = x_sim.app.add_dm(ME, CUSTOMER, "hej")

    result = x_sim.connector().fetch(
        {"dm_resume_token": "not-a-token", "dm_pending_newest_id": "5"}
    )

    assert [m.external_id for m in result.messages] == [dm["id"]]
    assert result.cursor["dm_newest_id"] == dm["id"]
    assert "dm_resume_token" not in result.cursor


def test_the_fetch_reports_the_tightest_rate_limit_budget(x_sim: XSim) -> None:
    result = x_sim.connector().fetch({})

    assert result.rate_limit_remaining == 299  # mentions and DMs each allow 300 per 15 minutes
    assert result.rate_limit_reset_at is not None
    assert result.rate_limit_reset_at > datetime.now(UTC)


def test_unknown_cursor_keys_are_kept(x_sim: XSim) -> None:
    assert x_sim.connector().fetch({"note": "kept"}).cursor["note"] == "kept"


def test_requests_go_to_the_simulator_for_both_x_hosts(x_sim: XSim) -> None:
    client = build_client("x-demo-user-token", base_url=x_sim.base_url)
    for host in ("https://api.twitter.com", "https://api.x.com"):
        response = client.session.get(
            f"{host}/2/users/{ME}/mentions",
            headers={"Authorization": "Bearer x-demo-user-token"},
        )
        assert response.status_code == 200
        assert response.json() == {"meta": {"result_count": 0}}
    assert len(x_sim.calls("/mentions")) == 2


def test_other_hosts_are_not_rewritten(x_sim: XSim) -> None:
    client = build_client("x-demo-user-token", base_url=x_sim.base_url)
    with pytest.raises(requests.ConnectionError):
        client.session.get("http://127.0.0.1:9/2/users/1/mentions", timeout=1)
