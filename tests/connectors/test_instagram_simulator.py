"""The simulated Instagram on the wire: its control API, the Page's link to the account, the two
inboxes kept apart, and Graph-shaped errors."""

from __future__ import annotations

import requests

from tests.connectors import instagram_support
from tests.connectors.instagram_support import IG_ID, KIRSTEN, PAGE_ID, TOKEN

instagram_server = instagram_support.instagram_server
instagram = instagram_support.instagram


def graph_get(instagram, path: str, **params: str) -> dict:
    params["access_token"] = TOKEN
    return requests.get(f"{instagram.base_url}/v21.0/{path}", params=params, timeout=5).json()


def control(instagram, method: str, path: str, body: dict | None = None) -> requests.Response:
    url = f"{instagram.base_url}/_sim/graph/instagram/{path}"
    return requests.request(method, url, json=body, timeout=5)


def test_traffic_injected_over_http_is_read_back_on_the_wire(instagram):
    media = control(instagram, "POST", "media", {"ig_id": IG_ID, "caption": "Husk fristen"}).json()
    said = {"media_id": media["id"], "author": KIRSTEN, "text": "Hej?"}
    comment = control(instagram, "POST", "comments", said).json()
    story = {"mention": {"link": "https://x/1.jpg", "id": "9"}}
    dm = {"page_id": PAGE_ID, "igsid": "6001", "username": "jens", "text": "", "story": story}
    control(instagram, "POST", "dms", dm)

    page = graph_get(instagram, PAGE_ID, fields="instagram_business_account")
    assert page["instagram_business_account"] == {"id": IG_ID}
    listed = graph_get(instagram, f"{IG_ID}/media", fields="id,comments_count")
    assert listed["data"] == [{"id": media["id"], "comments_count": 1}]
    comments = graph_get(instagram, f"{media['id']}/comments", fields="id,text,from,timestamp")
    assert comments["data"][0]["id"] == comment["id"]
    assert comments["data"][0]["from"] == KIRSTEN
    assert comments["data"][0]["timestamp"].endswith("+0000")
    dms = graph_get(instagram, "me/conversations", platform="instagram",
                    fields="messages{id,story,from}")  # fmt: skip
    [message] = dms["data"][0]["messages"]["data"]
    assert message["story"]["mention"]["id"] == "9"
    assert graph_get(instagram, "me/conversations", platform="messenger")["data"] == []
    assert control(instagram, "GET", f"accounts/{IG_ID}/replies").json() == {
        "comments": [],
        "messages": [],
    }


def test_a_reply_to_a_hidden_comment_is_a_graph_error_object(instagram):
    media = instagram.ig.add_media(IG_ID, "Opslag")
    comment = instagram.ig.add_comment(media["id"], KIRSTEN, "Spam")
    instagram.ig.hide_comment(comment["id"])

    answer = requests.post(f"{instagram.base_url}/v21.0/{comment['id']}/replies",
                           data={"message": "Hej", "access_token": TOKEN}, timeout=5)  # fmt: skip

    error = answer.json()["error"]
    assert answer.status_code == 400
    assert (error["code"], error["type"]) == (100, "IGApiException")
    assert "hidden" in error["message"]
    assert error["fbtrace_id"]


def test_another_pages_token_cannot_reach_the_account(instagram):
    instagram.app.add_page("100000000000009", "Anden side", "other-token")
    answer = requests.get(f"{instagram.base_url}/v21.0/{IG_ID}/media",
                          params={"access_token": "other-token"}, timeout=5)  # fmt: skip
    assert answer.json()["error"]["code"] == 100
