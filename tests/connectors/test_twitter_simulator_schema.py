"""Every body the simulated X API sends validates against X's own OpenAPI description."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from connectors.simulator import demo
from connectors.simulator.faults import FaultKind
from connectors.simulator.x.app import XApp
from tests.connectors import x_openapi
from tests.connectors.twitter_support import CUSTOMER, ME, XSim, start

AUTH = {"Authorization": f"Bearer {demo.X_TOKEN}"}
TWEET_FIELDS = "author_id,conversation_id,created_at,in_reply_to_user_id,referenced_tweets"
DM_FIELDS = "id,text,event_type,created_at,sender_id,dm_conversation_id"


@pytest.fixture(autouse=True)
def _openapi_present() -> None:
    x_openapi.require()


def openapi() -> dict[str, Any]:
    return x_openapi.load(x_openapi.location())


def assert_matches_openapi(template: str, method: str, response: requests.Response) -> None:
    """Validate the body against the schema X documents for this operation and status."""
    responses = openapi()["paths"][template][method.lower()]["responses"]
    documented = responses.get(str(response.status_code)) or responses["default"]
    content_type = response.headers["Content-Type"].split(";")[0]
    assert content_type in documented["content"], f"{content_type} is not documented here"
    schema = {
        **documented["content"][content_type]["schema"],
        "components": openapi()["components"],
    }
    validator = OAS30Validator(schema, format_checker=oas30_format_checker)
    errors = sorted(validator.iter_errors(response.json()), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


@pytest.fixture
def capped_x_sim() -> Iterator[XSim]:
    """A limit of three posts, so a spec can meet X's rate-limit answer."""
    yield from start(XApp(limits={"POST /2/tweets": 3}))


@pytest.fixture
def world(capped_x_sim: XSim) -> XSim:
    app = capped_x_sim.app
    first = app.add_mention(ME, CUSTOMER, "Hvornår kommer forskudsopgørelsen? 🤔 & <hvorfor>")
    for n in range(7):
        app.add_mention(ME, CUSTOMER, f"opfølgning {n}", in_reply_to_tweet_id=first["id"])
    for n in range(3):
        app.add_dm(ME, CUSTOMER, f"DM {n} med link https://skat.dk")
    return capped_x_sim


def get(sim: XSim, path: str, **params: str) -> requests.Response:
    return requests.get(f"{sim.base_url}{path}", params=params, headers=AUTH, timeout=5)


def post(
    sim: XSim, path: str, body: dict[str, Any], token: str = demo.X_TOKEN
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return requests.post(f"{sim.base_url}{path}", json=body, headers=headers, timeout=5)


MENTIONS = "/2/users/{id}/mentions"


def test_mention_pages_match(world: XSim) -> None:
    params = {"max_results": "5", "tweet.fields": TWEET_FIELDS, "expansions": "author_id",
              "user.fields": "username,name"}  # fmt: skip
    first = get(world, f"/2/users/{ME}/mentions", **params)
    assert_matches_openapi(MENTIONS, "GET", first)
    assert first.json()["meta"]["next_token"]

    world.fault(FaultKind.DUPLICATE_ITEMS, remaining=1)
    second = get(world, f"/2/users/{ME}/mentions", **params,
                 pagination_token=first.json()["meta"]["next_token"])  # fmt: skip
    assert_matches_openapi(MENTIONS, "GET", second)

    newest = first.json()["meta"]["newest_id"]
    empty = get(world, f"/2/users/{ME}/mentions", since_id=newest)
    assert_matches_openapi(MENTIONS, "GET", empty)
    assert empty.json() == {"meta": {"result_count": 0}}


def test_the_unknown_user_partial_error_matches(world: XSim) -> None:
    assert_matches_openapi(MENTIONS, "GET", get(world, "/2/users/42/mentions"))


def test_invalid_parameters_match(world: XSim) -> None:
    response = get(world, f"/2/users/{ME}/mentions", max_results="500")
    assert response.status_code == 400
    assert_matches_openapi(MENTIONS, "GET", response)


def test_the_users_own_timeline_matches(world: XSim) -> None:
    post(world, "/2/tweets", {"text": "Svar /Mette"})
    response = get(world, f"/2/users/{ME}/tweets", **{"tweet.fields": TWEET_FIELDS})
    assert_matches_openapi("/2/users/{id}/tweets", "GET", response)


def test_dm_event_pages_match(world: XSim) -> None:
    params = {"dm_event.fields": DM_FIELDS, "event_types": "MessageCreate",
              "expansions": "sender_id", "max_results": "2"}  # fmt: skip
    response = get(world, "/2/dm_events", **params)
    assert_matches_openapi("/2/dm_events", "GET", response)
    assert response.json()["includes"]["users"][0]["username"] == CUSTOMER["username"]

    per_conversation = get(world, f"/2/dm_conversations/with/{CUSTOMER['id']}/dm_events", **params)
    assert_matches_openapi(
        "/2/dm_conversations/with/{participant_id}/dm_events", "GET", per_conversation
    )


def test_creating_tweets_and_their_refusals_match(world: XSim) -> None:
    [question] = [t for t in world.app.posted_replies(CUSTOMER["id"]) if "🤔" in t["text"]]
    created = post(
        world,
        "/2/tweets",
        {"text": "Svar & mere", "reply": {"in_reply_to_tweet_id": question["id"]}},
    )
    assert created.status_code == 201
    assert_matches_openapi("/2/tweets", "POST", created)
    assert created.json()["data"]["edit_history_tweet_ids"] == [created.json()["data"]["id"]]

    world.app.delete_tweet(question["id"])
    gone = post(
        world, "/2/tweets", {"text": "x", "reply": {"in_reply_to_tweet_id": question["id"]}}
    )
    assert gone.status_code == 403
    assert_matches_openapi("/2/tweets", "POST", gone)

    too_long = post(world, "/2/tweets", {"text": "å" * 281})
    assert too_long.status_code == 403
    assert_matches_openapi("/2/tweets", "POST", too_long)

    over_budget = post(world, "/2/tweets", {"text": "fjerde"})
    assert over_budget.status_code == 429
    assert over_budget.headers["x-rate-limit-remaining"] == "0"
    assert_matches_openapi("/2/tweets", "POST", over_budget)


def test_sending_a_dm_matches(world: XSim) -> None:
    response = post(world, f"/2/dm_conversations/with/{CUSTOMER['id']}/messages", {"text": "Hej"})
    assert response.status_code == 201
    assert_matches_openapi("/2/dm_conversations/with/{participant_id}/messages", "POST", response)


def test_an_unknown_token_gets_xs_401(world: XSim) -> None:
    response = post(world, "/2/tweets", {"text": "hej"}, token="nope")
    assert response.status_code == 401
    assert_matches_openapi("/2/tweets", "POST", response)


def test_every_answer_carries_rate_limit_headers(world: XSim) -> None:
    response = get(world, f"/2/users/{ME}/mentions")
    assert response.headers["x-rate-limit-limit"] == "300"
    assert response.headers["x-rate-limit-remaining"] == "299"
    assert int(response.headers["x-rate-limit-reset"]) > 0

    world.fault(FaultKind.SERVER_ERROR_HTML, remaining=1)
    outage = get(world, f"/2/users/{ME}/mentions")
    unauthorized = post(world, "/2/tweets", {"text": "hej"}, token="nope")
    for failed in (outage, unauthorized):
        assert {"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"} <= {
            name.lower() for name in failed.headers
        }
