"""Sending as the Page: comment replies, Messenger within its window, agents as personas."""

from __future__ import annotations

import time

import pytest

from connectors.base import ThreadKind
from connectors.errors import OutsideMessagingWindow, PlatformRejected, PlatformUnavailable
from connectors.facebook.window import HUMAN_AGENT, RESPONSE, send_policy
from connectors.simulator.faults import FaultKind
from tests.connectors import facebook_support
from tests.connectors.facebook_support import (
    KIRSTEN,
    OLE,
    PAGE_ID,
    ago,
    comment_reply,
    messenger_reply,
)

graph_server = facebook_support.graph_server
graph = facebook_support.graph

PICTURE = "https://svar.example/agents/mette.png"


def customer_wrote(graph, **age: float) -> dict:
    return graph.app.add_messenger_message(
        PAGE_ID, "8001", "Jens Hansen", "Hvor er min refusion?", created_time=ago(**age)
    )


def sent_messages(graph) -> list[dict]:
    return graph.app.page_replies(PAGE_ID)["messages"]


def test_a_comment_reply_is_posted_under_the_comment(graph):
    post = graph.app.add_post(PAGE_ID, "Opslag", created_time=ago(hours=1))
    comment = graph.app.add_comment(post["id"], KIRSTEN, "Hvornår åbner I?")

    sent = graph.connector().send(comment_reply(comment, "Kl. 9.\n\nVenlig hilsen Mette"))

    [reply] = graph.app.page_replies(PAGE_ID)["comments"]
    assert reply["id"] == sent.external_id
    assert reply["parent_id"] == comment["id"]
    assert reply["message"] == "Kl. 9.\n\nVenlig hilsen Mette"


def test_a_reply_to_a_reply_is_posted_in_the_top_level_thread(graph):
    post = graph.app.add_post(PAGE_ID, "Opslag", created_time=ago(hours=1))
    question = graph.app.add_comment(post["id"], KIRSTEN, "Hvornår?")
    follow_up = graph.app.add_comment(post["id"], OLE, "Også mig", parent_id=question["id"])

    graph.connector().send(comment_reply(follow_up, "I morgen"))

    [reply] = graph.app.page_replies(PAGE_ID)["comments"]
    assert reply["in_reply_to"] == question["id"]


def test_our_comment_reply_is_read_back_as_from_the_account(graph):
    post = graph.app.add_post(PAGE_ID, "Opslag", created_time=ago(hours=1))
    comment = graph.app.add_comment(post["id"], KIRSTEN, "Hej", created_time=ago(minutes=3))
    connector = graph.connector()
    sent = connector.send(comment_reply(comment, "Hej Kirsten"))

    [ours] = [m for m in connector.fetch({}).messages if m.external_id == sent.external_id]

    assert ours.from_account is True
    assert ours.thread_external_id == comment["id"]
    assert ours.kind is ThreadKind.PUBLIC


def test_within_24_hours_messenger_replies_are_standard_responses(graph):
    received = customer_wrote(graph, hours=2)

    sent = graph.connector().send(
        messenger_reply(
            received, "Den er på vej", customer_last_message_at=received["created_time"]
        )
    )

    [message] = sent_messages(graph)
    assert message["message_id"] == sent.external_id
    assert message["messaging_type"] == "RESPONSE"
    assert message["tag"] is None
    assert message["recipient_id"] == "8001"


def test_after_24_hours_a_human_agent_answers_with_the_human_agent_tag(graph):
    received = customer_wrote(graph, days=3)

    graph.connector().send(
        messenger_reply(
            received, "Undskyld ventetiden", customer_last_message_at=received["created_time"]
        )
    )

    [message] = sent_messages(graph)
    assert (message["messaging_type"], message["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")


def test_after_7_days_the_reply_is_refused_before_any_platform_call(graph):
    received = customer_wrote(graph, days=8)
    calls_before = graph.calls()

    with pytest.raises(OutsideMessagingWindow, match="must write again") as caught:
        graph.connector().send(
            messenger_reply(
                received, "For sent?", customer_last_message_at=received["created_time"]
            )
        )

    assert isinstance(caught.value, PlatformRejected)  # not retryable
    assert graph.calls() == calls_before
    assert sent_messages(graph) == []


def test_the_platforms_own_window_refusal_maps_to_the_same_error(graph):
    received = customer_wrote(graph, days=8)

    with pytest.raises(OutsideMessagingWindow, match="outside of allowed window"):
        # A stale hint claims the customer wrote an hour ago; Graph knows better.
        graph.connector().send(
            messenger_reply(received, "Hej", customer_last_message_at=ago(hours=1).isoformat())
        )


def test_without_a_hint_the_connector_asks_graph_when_the_customer_last_wrote(graph):
    received = customer_wrote(graph, days=3)

    graph.connector().send(messenger_reply(received, "Hej igen"))

    [message] = sent_messages(graph)
    assert message["tag"] == "HUMAN_AGENT"
    assert f"GET /v21.0/{received['conversation_id']}/messages" in graph.calls()


def test_an_agent_persona_is_created_once_and_used_for_each_reply(graph):
    received = customer_wrote(graph, minutes=10)
    connector = graph.connector()

    for body in ("Hej Jens", "Jeg kigger på det"):
        connector.send(
            messenger_reply(
                received,
                body,
                persona_name="Mette Jensen",
                persona_picture_url=PICTURE,
                customer_last_message_at=received["created_time"],
            )  # fmt: skip
        )

    [persona] = graph.app.personas(PAGE_ID)
    assert persona["name"] == "Mette Jensen"
    assert persona["profile_picture_url"] == PICTURE
    assert [m["persona_id"] for m in sent_messages(graph)] == [persona["id"], persona["id"]]


def test_a_cached_persona_id_is_used_without_creating_another(graph):
    received = customer_wrote(graph, minutes=10)
    persona_id = graph.connector().ensure_persona("Lars Holm", PICTURE)

    graph.connector().send(
        messenger_reply(
            received,
            "Hej",
            persona_name="Lars Holm",
            persona_id=persona_id,
            customer_last_message_at=received["created_time"],
        )  # fmt: skip
    )

    assert len(graph.app.personas(PAGE_ID)) == 1
    assert sent_messages(graph)[0]["persona_id"] == persona_id


def test_the_window_policy_leaves_a_safety_margin_at_each_edge():
    now = ago()
    assert send_policy(ago(hours=23), now) is RESPONSE
    assert send_policy(ago(hours=23, minutes=59, seconds=30), now) is HUMAN_AGENT
    assert send_policy(ago(days=6, hours=23), now) is HUMAN_AGENT
    with pytest.raises(OutsideMessagingWindow):
        send_policy(ago(days=6, hours=23, minutes=59, seconds=30), now)


def wait_for(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the simulator never finished the slow request"
        time.sleep(0.05)


def test_a_comment_reply_that_timed_out_but_was_posted_is_found_not_sent_twice(graph):
    post = graph.app.add_post(PAGE_ID, "Opslag", created_time=ago(hours=1))
    comment = graph.app.add_comment(post["id"], KIRSTEN, "Hej?", created_time=ago(minutes=5))
    reply = comment_reply(comment, "Hej Kirsten")
    started = ago()
    graph.fault(FaultKind.SLOW, path=f"/v21.0/{comment['id']}/comments", delay_seconds=1.0)

    with pytest.raises(PlatformUnavailable):
        graph.connector(timeout=0.3).send(reply)
    wait_for(lambda: graph.app.page_replies(PAGE_ID)["comments"])

    found = graph.connector().find_sent(reply, since=started)

    [posted] = graph.app.page_replies(PAGE_ID)["comments"]
    assert found is not None
    assert found.external_id == posted["id"]


def test_a_messenger_reply_is_found_only_if_it_was_sent(graph):
    received = customer_wrote(graph, minutes=10)
    started = ago()
    connector = graph.connector()
    hint = {"customer_last_message_at": received["created_time"]}
    sent = connector.send(messenger_reply(received, "Hej Jens", **hint))

    found = connector.find_sent(messenger_reply(received, "Hej Jens", **hint), since=started)
    missing = connector.find_sent(messenger_reply(received, "Noget andet", **hint), since=started)

    assert found is not None
    assert found.external_id == sent.external_id
    assert missing is None
