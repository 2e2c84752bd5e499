"""Writing to X: public replies in the customer's thread, DMs, and the refusals X gives."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import requests

from connectors.base import OutboundReply, ThreadKind
from connectors.errors import PlatformRejected, PlatformUnavailable, TargetGone
from connectors.simulator.faults import FaultKind
from tests.connectors.twitter_support import CUSTOMER, ME, XSim


def public_reply(tweet: dict, body: str) -> OutboundReply:
    return OutboundReply(
        idempotency_key="svar-1",
        thread_external_id=tweet["conversation_id"],
        kind=ThreadKind.PUBLIC,
        body=body,
        recipient_external_id=tweet["author_id"],
        in_reply_to_external_id=tweet["id"],
    )


def direct_message(recipient_id: str, thread: str, body: str) -> OutboundReply:
    return OutboundReply(
        idempotency_key="svar-2",
        thread_external_id=thread,
        kind=ThreadKind.PRIVATE,
        body=body,
        recipient_external_id=recipient_id,
    )


def test_a_public_reply_is_posted_in_reply_to_the_customers_tweet(x_sim: XSim) -> None:
    question = x_sim.app.add_mention(ME, CUSTOMER, "Hvornår udbetales overskydende skat?")
    body = "@mette_k Det sker normalt i april, se https://skat.dk/borger/udbetaling /Mette"

    sent = x_sim.connector().send(public_reply(question, body))

    [posted] = x_sim.state()["posted_replies"][ME]
    assert posted["id"] == sent.external_id
    assert posted["text"] == body
    assert posted["referenced_tweets"] == [{"type": "replied_to", "id": question["id"]}]
    assert posted["conversation_id"] == question["conversation_id"]
    assert posted["in_reply_to_user_id"] == CUSTOMER["id"]
    assert abs(sent.sent_at - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_reply_without_a_target_answers_the_threads_first_tweet(x_sim: XSim) -> None:
    question = x_sim.app.add_mention(ME, CUSTOMER, "Hej")
    reply = public_reply(question, "Hej Mette /Lars")
    reply = OutboundReply(**{**_fields(reply), "in_reply_to_external_id": None})

    x_sim.connector().send(reply)

    [posted] = x_sim.app.posted_replies(ME)
    assert posted["referenced_tweets"][0]["id"] == question["conversation_id"]


def test_replying_to_a_deleted_tweet_is_target_gone(x_sim: XSim) -> None:
    question = x_sim.app.add_mention(ME, CUSTOMER, "Jeg sletter snart det her")
    deleted = requests.delete(f"{x_sim.base_url}/_sim/x/tweets/{question['id']}", timeout=5)
    assert deleted.status_code == 200

    with pytest.raises(TargetGone, match="deleted or not visible"):
        x_sim.connector().send(public_reply(question, "For sent? /Mette"))

    assert x_sim.app.posted_replies(ME) == []


def test_replying_to_a_tweet_x_never_had_is_target_gone(x_sim: XSim) -> None:
    ghost = {"id": "1234567890123456789", "conversation_id": "1234567890123456789",
             "author_id": CUSTOMER["id"]}  # fmt: skip

    with pytest.raises(TargetGone):
        x_sim.connector().send(public_reply(ghost, "Hej /Mette"))


def test_a_reply_over_280_weighted_characters_is_rejected_and_not_posted(x_sim: XSim) -> None:
    question = x_sim.app.add_mention(ME, CUSTOMER, "?")
    too_long = "Tak for din besked 🙏 " * 13  # emoji weigh 2: 286 weighted, 273 code points

    with pytest.raises(PlatformRejected, match="too long"):
        x_sim.connector().send(public_reply(question, too_long))

    assert x_sim.app.posted_replies(ME) == []


def test_links_count_23_characters_whatever_their_length(x_sim: XSim) -> None:
    question = x_sim.app.add_mention(ME, CUSTOMER, "?")
    long_link = "https://skat.dk/" + "x" * 300  # 316 characters, weighs 23
    body = f"Læs mere her: {long_link} /Mette"

    sent = x_sim.connector().send(public_reply(question, body))

    assert x_sim.app.posted_replies(ME)[0]["id"] == sent.external_id


def test_a_direct_message_is_sent_to_the_customer(x_sim: XSim) -> None:
    question = x_sim.app.add_dm(ME, CUSTOMER, "Må jeg sende mit CPR-nummer her?")
    thread = f"dm:{question['dm_conversation_id']}"

    sent = x_sim.connector().send(direct_message(CUSTOMER["id"], thread, "Nej, aldrig 🙂 /Mette"))

    [dm] = x_sim.state()["sent_dms"][ME]
    assert dm["id"] == sent.external_id
    assert dm["text"] == "Nej, aldrig 🙂 /Mette"
    assert dm["dm_conversation_id"] == question["dm_conversation_id"]


def test_the_sent_dm_comes_back_on_the_next_poll_as_the_same_message(x_sim: XSim) -> None:
    question = x_sim.app.add_dm(ME, CUSTOMER, "Hej")
    connector = x_sim.connector()
    sent = connector.send(direct_message(CUSTOMER["id"], "dm:x", "Hej igen /Mette"))

    echoed = {m.external_id: m for m in connector.fetch({}).messages}

    assert echoed[sent.external_id].from_account is True
    assert echoed[sent.external_id].thread_external_id == f"dm:{question['dm_conversation_id']}"


def test_an_answer_lost_on_the_way_is_unavailable_and_find_sent_recovers_the_reply(
    x_sim: XSim,
) -> None:
    question = x_sim.app.add_mention(ME, CUSTOMER, "Hvad koster det?")
    reply = public_reply(question, "Det er gratis & nemt 👉 https://skat.dk /Mette")
    began = datetime.now(UTC)
    x_sim.fault(FaultKind.MALFORMED_JSON, path_prefix="/2/tweets", remaining=1)
    connector = x_sim.connector()

    with pytest.raises(PlatformUnavailable):
        connector.send(reply)
    found = connector.find_sent(reply, since=began)

    [posted] = x_sim.app.posted_replies(ME)
    assert found is not None
    assert found.external_id == posted["id"]


def test_find_sent_finds_nothing_when_the_reply_was_never_posted(x_sim: XSim) -> None:
    question = x_sim.app.add_mention(ME, CUSTOMER, "Hej")
    x_sim.connector().send(public_reply(question, "Et andet svar /Lars"))

    missing = x_sim.connector().find_sent(
        public_reply(question, "Hej Mette /Lars"), since=datetime.now(UTC) - timedelta(minutes=1)
    )

    assert missing is None


def test_find_sent_recovers_a_dm_whose_answer_was_lost(x_sim: XSim) -> None:
    x_sim.app.add_dm(ME, CUSTOMER, "Hej")
    reply = direct_message(CUSTOMER["id"], "dm:x", "Vi ringer dig op i morgen /Mette")
    began = datetime.now(UTC)
    x_sim.fault(FaultKind.SLOW, path_prefix="/2/dm_conversations/", delay_seconds=1, remaining=1)
    connector = x_sim.connector(timeout=0.3)

    with pytest.raises(PlatformUnavailable):
        connector.send(reply)
    _wait_until(lambda: x_sim.app.sent_dms(ME))  # the slow server still finishes the send
    found = connector.find_sent(reply, since=began)

    assert found is not None
    assert found.external_id == x_sim.app.sent_dms(ME)[0]["id"]


def test_a_dm_to_someone_x_does_not_know_is_rejected(x_sim: XSim) -> None:
    with pytest.raises(PlatformRejected, match="403"):
        x_sim.connector().send(direct_message("987654321", "dm:x", "Hej"))


def _fields(reply: OutboundReply) -> dict:
    return {name: getattr(reply, name) for name in reply.__slots__}


def _wait_until(condition: Callable[[], object], seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the simulator never got there"
        time.sleep(0.05)
