"""Reading a Facebook Page: comments and Messenger, over real facebook-sdk and real HTTP."""

from __future__ import annotations

import json

from connectors.base import ThreadKind
from connectors.simulator.faults import FaultKind
from tests.connectors import facebook_support
from tests.connectors.facebook_support import (
    KIRSTEN,
    OLE,
    PAGE_ID,
    PAGE_NAME,
    ago,
    messenger_reply,
)

graph_server = facebook_support.graph_server
graph = facebook_support.graph


def ids(result) -> set[str]:
    return {m.external_id for m in result.messages}


def test_comments_are_read_across_feed_pages_and_threaded_by_top_level_comment(graph):
    app = graph.app
    expected = set()
    for n in range(30):  # more posts than one feed page (25) holds
        post = app.add_post(PAGE_ID, f"Opslag {n}", created_time=ago(hours=2, minutes=n))
        comment = app.add_comment(post["id"], KIRSTEN, f"Spørgsmål {n}", created_time=ago(hours=1))
        expected.add(comment["id"])
    post = app.add_post(PAGE_ID, "Fristen for årsopgørelsen", created_time=ago(hours=3))
    question = app.add_comment(post["id"], KIRSTEN, "Hvornår?", created_time=ago(minutes=50))
    follow_up = app.add_comment(
        post["id"], OLE, "Samme spørgsmål", parent_id=question["id"], created_time=ago(minutes=40)
    )
    ours = app.add_comment(
        post["id"], {"id": PAGE_ID, "name": PAGE_NAME}, "Den 15. marts",
        parent_id=follow_up["id"], created_time=ago(minutes=30),
    )  # fmt: skip

    result = graph.connector().fetch({})

    assert ids(result) == expected | {question["id"], follow_up["id"], ours["id"]}
    assert len(result.messages) == len(ids(result))
    by_id = {m.external_id: m for m in result.messages}
    assert by_id[question["id"]].thread_external_id == question["id"]
    # A reply to a reply joins the top-level comment's thread.
    assert by_id[follow_up["id"]].thread_external_id == question["id"]
    assert by_id[ours["id"]].thread_external_id == question["id"]
    assert by_id[follow_up["id"]].in_reply_to_external_id == question["id"]
    assert by_id[ours["id"]].from_account is True
    assert by_id[question["id"]].from_account is False
    assert by_id[question["id"]].author.name == "Kirsten Madsen"
    assert {m.kind for m in result.messages} == {ThreadKind.PUBLIC}
    assert result.rejected == ()
    assert sum("/feed" in call for call in graph.calls()) == 2


def test_a_post_with_many_comments_is_read_through_its_comment_pages(graph):
    post = graph.app.add_post(PAGE_ID, "Nyt om fradrag", created_time=ago(hours=5))
    comments = [
        graph.app.add_comment(
            post["id"], KIRSTEN, f"Kommentar {n}", created_time=ago(minutes=90 - n)
        )
        for n in range(80)  # the feed embeds 50 per post
    ]

    result = graph.connector().fetch({})

    assert ids(result) == {c["id"] for c in comments}
    assert f"GET /v21.0/{post['id']}/comments" in graph.calls()


def test_the_cursor_advances_so_the_next_poll_reads_only_what_is_new(graph):
    post = graph.app.add_post(PAGE_ID, "Opslag", created_time=ago(hours=3))
    old = [
        graph.app.add_comment(post["id"], KIRSTEN, f"Gammel {n}", created_time=ago(minutes=60 - n))
        for n in range(5)
    ]
    dm = graph.app.add_messenger_message(
        PAGE_ID, "8001", "Jens", "Hej", created_time=ago(minutes=20)
    )
    connector = graph.connector()
    first = connector.fetch({})
    assert len(first.messages) == 6

    new_comment = graph.app.add_comment(post["id"], OLE, "Ny", created_time=ago(minutes=1))
    new_dm = graph.app.add_messenger_message(PAGE_ID, "8001", "Jens", "Hallo?")
    second = connector.fetch(first.cursor)

    # Graph has no since_id: the watermark's own second is read again, the inbox dedupes it.
    assert {new_comment["id"], new_dm["id"]} <= ids(second)
    assert ids(second) - {new_comment["id"], new_dm["id"]} <= {old[-1]["id"], dm["id"]}
    assert old[0]["id"] not in ids(second)
    assert second.cursor["feed_since"] > first.cursor["feed_since"]
    assert second.cursor["messenger_since"] > first.cursor["messenger_since"]


def test_messenger_conversations_are_read_across_pages_within_the_rate_limit(graph):
    app = graph.app
    expected = set()
    for n in range(30):  # more conversations than one page (25) holds
        psid = str(9000 + n)
        expected.add(
            app.add_messenger_message(
                PAGE_ID, psid, f"Kunde {n}", "Hej", created_time=ago(minutes=n)
            )["id"]
        )
    long_talk = [
        app.add_messenger_message(
            PAGE_ID, "8001", "Jens", f"Linje {n}", created_time=ago(hours=2, minutes=-n)
        )
        for n in range(30)  # more messages than a conversation embeds (25)
    ]
    expected |= {m["id"] for m in long_talk}

    result = graph.connector(conversations_page_size=25).fetch({})

    assert ids(result) == expected
    assert {m.kind for m in result.messages} == {ThreadKind.PRIVATE}
    thread = {m.thread_external_id for m in result.messages if m.author.external_id == "8001"}
    assert thread == {long_talk[0]["conversation_id"]}
    assert thread.pop().startswith("t_")
    calls = graph.calls()
    assert calls.count(f"GET /v21.0/{PAGE_ID}/conversations") == 2
    assert f"GET /v21.0/{long_talk[0]['conversation_id']}/messages" in calls
    # The connector paces itself under Graph's 2 calls/s, so no call was refused.
    assert result.rate_limit_remaining is not None


def test_messages_the_page_sent_are_marked_as_from_the_account(graph):
    hello = graph.app.add_messenger_message(
        PAGE_ID, "8001", "Jens", "Hej", created_time=ago(minutes=5)
    )
    connector = graph.connector()
    sent = connector.send(messenger_reply(hello, "Hej Jens"))

    result = connector.fetch({})

    by_id = {m.external_id: m for m in result.messages}
    assert by_id[sent.external_id].from_account is True
    assert by_id[sent.external_id].author.external_id == PAGE_ID
    assert by_id[sent.external_id].body == "Hej Jens"


def test_a_malformed_item_is_set_aside_and_the_rest_of_the_page_is_ingested(graph):
    post = graph.app.add_post(PAGE_ID, "Opslag", created_time=ago(hours=1))
    good = graph.app.add_comment(post["id"], KIRSTEN, "Fint", created_time=ago(minutes=30))
    graph.app.add_malformed_comment(
        post["id"],
        {"id": "broken_1", "message": "uden afsender", "created_time": ago(minutes=20).isoformat()},
    )
    later = graph.app.add_comment(post["id"], OLE, "Også fint", created_time=ago(minutes=10))

    result = graph.connector().fetch({})

    assert ids(result) == {good["id"], later["id"]}
    assert len(result.rejected) == 1
    rejected = result.rejected[0]
    assert rejected.reason == "missing from"
    assert json.loads(rejected.raw)["message"] == "uden afsender"


def test_an_item_seen_twice_is_returned_once(graph):
    for n in range(30):
        post = graph.app.add_post(PAGE_ID, f"Opslag {n}", created_time=ago(hours=2, minutes=n))
        graph.app.add_comment(
            post["id"], KIRSTEN, f"Spørgsmål {n}", created_time=ago(hours=1, minutes=n)
        )
    graph.fault(FaultKind.DUPLICATE_ITEMS, path=f"/v21.0/{PAGE_ID}/feed")

    result = graph.connector().fetch({})

    assert len(result.messages) == len(ids(result)) == 30
