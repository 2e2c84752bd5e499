"""The Graph simulator speaks what facebook-sdk and the traffic generator expect."""

from __future__ import annotations

import re

import facebook
import pytest
import requests

from connectors.errors import PlatformUnavailable
from connectors.facebook.client import GRAPH_VERSION, GraphAdapter
from connectors.simulator.wire import SimRequest, SimResponse
from tests.connectors import facebook_support
from tests.connectors.facebook_support import KIRSTEN, PAGE_ID, TOKEN, ago

graph_server = facebook_support.graph_server
graph = facebook_support.graph

GRAPH_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$")


def sdk(graph) -> facebook.GraphAPI:
    """facebook-sdk as its own documentation uses it, redirected to the simulator."""
    session = requests.Session()
    session.mount("https://graph.facebook.com/", GraphAdapter(graph.base_url, timeout=5))
    api = facebook.GraphAPI(access_token=TOKEN, session=session)
    api.version = GRAPH_VERSION
    return api


def test_get_all_connections_follows_paging_next_with_its_access_token(graph):
    for n in range(60):
        graph.app.add_messenger_message(PAGE_ID, str(9000 + n), f"Kunde {n}", "Hej", ago(seconds=n))
    graph.app.add_post(PAGE_ID, "Opslag")
    api = sdk(graph)

    conversations = list(
        api.get_all_connections(PAGE_ID, "conversations", platform="messenger", limit=50)
    )

    assert len(conversations) == 60
    assert api.get_version() == GRAPH_VERSION.removeprefix("v")  # the facebook-api-version header
    assert all(c["id"].startswith("t_") for c in conversations)
    assert all(GRAPH_TIME.match(c["updated_time"]) for c in conversations)


def test_graph_shapes_ids_times_and_nested_edges(graph):
    post = graph.app.add_post(PAGE_ID, "Opslag", created_time=ago(hours=1))
    comment = graph.app.add_comment(post["id"], KIRSTEN, "Hej")
    reply = graph.app.add_comment(post["id"], KIRSTEN, "Igen", parent_id=comment["id"])
    api = sdk(graph)

    feed = api.get_connections(
        PAGE_ID,
        "feed",
        fields="id,message,created_time,comments{id,message,from,created_time,parent}",
    )
    streamed = api.get_connections(post["id"], "comments", filter="stream", fields="id,parent")

    [item] = feed["data"]
    assert item["id"] == post["id"]
    assert post["id"].startswith(f"{PAGE_ID}_")
    assert comment["id"].startswith(post["id"].split("_")[1] + "_")
    assert GRAPH_TIME.match(item["created_time"])
    # Graph's default comment filter is top-level only; filter=stream brings the replies.
    assert [c["id"] for c in item["comments"]["data"]] == [comment["id"]]
    assert [c.get("parent", {}).get("id") for c in streamed["data"]] == [None, comment["id"]]
    assert reply["parent"]["id"] == comment["id"]


def test_errors_have_graphs_shape_whatever_the_status(graph):
    answer = requests.get(
        f"{graph.base_url}/{GRAPH_VERSION}/{PAGE_ID}/feed",
        params={"access_token": "nope"},
        timeout=5,
    )

    error = answer.json()["error"]
    assert error["code"] == 190
    assert error["type"] == "OAuthException"
    assert error["fbtrace_id"]
    assert "X-App-Usage" not in answer.headers  # unauthenticated calls spend no Page budget


def test_usage_headers_are_visible_to_the_connector(graph):
    result = graph.connector().fetch({})

    assert result.rate_limit_remaining is not None
    assert 0 <= result.rate_limit_remaining <= 100


def test_traffic_can_be_injected_over_the_control_api(graph):
    post = requests.post(
        f"{graph.base_url}/_sim/graph/posts",
        json={"page_id": PAGE_ID, "message": "Opslag"},
        timeout=5,
    ).json()
    comment = requests.post(
        f"{graph.base_url}/_sim/graph/comments",
        json={"post_id": post["id"], "author": KIRSTEN, "message": "Hej via HTTP"},
        timeout=5,
    )
    message = requests.post(
        f"{graph.base_url}/_sim/graph/messenger",
        json={"page_id": PAGE_ID, "psid": "8001", "name": "Jens", "text": "Hej"},
        timeout=5,
    )

    assert comment.status_code == message.status_code == 201
    ids = {m.external_id for m in graph.connector().fetch({}).messages}
    assert ids == {comment.json()["id"], message.json()["id"]}
    state = requests.get(f"{graph.base_url}/_sim/state", timeout=5).json()["graph"]
    assert state["pages"][PAGE_ID]["conversations"] == 1


class NoContentType:
    """A server answering without Content-Type: facebook-sdk raises a bare KeyError."""

    name = "bare"

    def handles(self, request: SimRequest) -> bool:
        return request.path.startswith(f"/{GRAPH_VERSION}/")

    def handle(self, request: SimRequest, faults: object) -> SimResponse:
        return SimResponse(200, b'{"data": []}', {})

    def snapshot(self) -> dict:
        return {}


def test_an_answer_without_content_type_is_a_transient_failure(graph, graph_server):
    graph_server.simulator.apps.insert(0, NoContentType())

    with pytest.raises(PlatformUnavailable, match="content-type") as caught:
        graph.connector().fetch({})

    assert isinstance(caught.value.__cause__, KeyError)
