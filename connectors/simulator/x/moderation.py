"""``PUT /2/tweets/{id}/hidden``: hide or unhide a reply, as X answers it.

Only a reply in a conversation the account started may be hidden (X's "hide replies"), never
the conversation's first tweet nor the account's own reply; a deleted tweet is not found.
"""

from __future__ import annotations

import json
import re

from connectors.simulator.wire import SimRequest, SimResponse
from connectors.simulator.x import wire
from connectors.simulator.x.state import TweetGone, XState

HIDDEN = re.compile(r"^/2/tweets/([^/]+)/hidden$")
NOT_YOUR_CONVERSATION = "You can only hide or unhide replies to conversations you authored."


def set_hidden(state: XState, request: SimRequest, me: str, tweet_id: str) -> SimResponse:
    try:
        spec = json.loads(request.body or b"null")
    except ValueError:
        spec = None
    if not isinstance(spec, dict) or not isinstance(spec.get("hidden"), bool):
        return wire.invalid_request("hidden", "", "The `hidden` field is required.")
    try:
        tweet = state.live_tweet(tweet_id)
    except TweetGone:
        return _not_found(tweet_id)
    with state.lock:
        root = state.tweets.get(tweet["conversation_id"])
        is_reply = tweet["conversation_id"] != tweet["id"]
        if not is_reply or root is None or root["author_id"] != me or tweet["author_id"] == me:
            return wire.forbidden(NOT_YOUR_CONVERSATION)
        tweet["hidden"] = spec["hidden"]
    return SimResponse.json({"data": {"hidden": spec["hidden"]}})


def _not_found(tweet_id: str) -> SimResponse:
    return wire.problem(
        404,
        "Not Found Error",
        f"Could not find tweet with id: [{tweet_id}].",
        type="https://api.twitter.com/2/problems/resource-not-found",
    )
