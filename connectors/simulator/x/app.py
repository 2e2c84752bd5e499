"""A wire-exact subset of X API v2: mentions and DMs in, replies and DMs out.

Routes under ``/2/`` answer as X does (bodies, status codes, rate-limit headers, problem
details); routes under ``/_sim/x/`` are the injection API for tests and the traffic generator.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from connectors.simulator.faults import API_KINDS, Fault, FaultBoard, FaultKind
from connectors.simulator.wire import SimRequest, SimResponse
from connectors.simulator.x import media as x_media
from connectors.simulator.x import wire, writes
from connectors.simulator.x.includes import page_users, users_by_ids
from connectors.simulator.x.limits import RateLimits
from connectors.simulator.x.moderation import HIDDEN, set_hidden
from connectors.simulator.x.oauth import XOAuth
from connectors.simulator.x.state import Entry, Page, XState, dm_conversation_id
from connectors.simulator.x.uploads import XUploads

MENTIONS = re.compile(r"^/2/users/([^/]+)/mentions$")
USER_TWEETS = re.compile(r"^/2/users/([^/]+)/tweets$")
DM_WITH = re.compile(r"^/2/dm_conversations/with/([^/]+)/messages$")
DM_WITH_EVENTS = re.compile(r"^/2/dm_conversations/with/([^/]+)/dm_events$")
SIM_TWEET = re.compile(r"^/_sim/x/tweets/([^/]+)$")

DUPLICATE_OVERLAP = 2  # items of the previous page a DUPLICATE_ITEMS fault repeats
LIST_FAULTS = set(API_KINDS)
SINGLE_FAULTS = LIST_FAULTS - {FaultKind.DUPLICATE_ITEMS}


# (request, the token's user id, how many items of the previous page to repeat) -> response
Route = Callable[[SimRequest, str, int], SimResponse]


class XApp:
    name = "x"

    def __init__(
        self, limits: Mapping[str, int] | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.state = XState(clock=clock)
        self.limits = RateLimits(limits, clock=clock)
        self.oauth = XOAuth(self.state, clock=clock)  # consent page, tokens, revocation
        self._clock = clock
        self._log_lock = threading.Lock()
        self._request_log: list[tuple[str, str]] = []
        self.uploads = XUploads()  # /2/media/upload (issue #13)
        self.faults = FaultBoard()  # the server's board, once a request has come

    # -- PlatformApp -------------------------------------------------------------------------

    def handles(self, request: SimRequest) -> bool:
        return request.path.startswith(("/2/", "/_sim/x/")) or self.oauth.handles(request)

    def handle(self, request: SimRequest, faults: FaultBoard) -> SimResponse:
        if self.oauth.handles(request):
            return self.oauth.handle(request, faults)
        if request.path.startswith("/_sim/x/"):
            return self._control(request)
        with self._log_lock:
            self._request_log.append((request.method, request.path))
        self.faults = faults
        endpoint, route = self._route(request)
        if route is None:
            return wire.not_found_route(request.path)
        is_later_page = request.method == "GET" and bool(request.arg("pagination_token"))
        fault = faults.take("x", request.path, LIST_FAULTS if is_later_page else SINGLE_FAULTS)
        response = self._answer(request, endpoint, route, fault)
        if "x-rate-limit-limit" not in response.headers:  # X's edge adds them to every answer
            account = self.state.account_for_token(request.bearer_token)
            who = account.user_id if account else f"token:{request.bearer_token}"
            response.headers.update(self.limits.peek(who, endpoint).headers())
        if fault is not None and fault.kind is FaultKind.MALFORMED_JSON:
            response.body = response.body[: max(1, len(response.body) // 2)]
        return response

    def snapshot(self) -> dict:
        with self.state.lock:
            return {
                "accounts": [
                    {"id": a.user_id, "username": a.username, "name": a.name}
                    for a in self.state.accounts.values()
                ],
                "posted_replies": {
                    account: self.posted_replies(account) for account in self.state.accounts
                },
                "sent_dms": {account: self.sent_dms(account) for account in self.state.accounts},
                "tweets": len(self.state.tweets),
                "dm_events": len(self.state.dm_events),
                "deleted_tweets": sorted(self.state.deleted),
                "requests": len(self._request_log),
            }

    # -- injection API -----------------------------------------------------------------------

    def add_account(self, user_id: str, username: str, name: str, token: str) -> None:
        self.state.add_account(user_id, username, name, token)

    def add_mention(
        self,
        account_user_id: str,
        author: Mapping[str, str],
        text: str,
        conversation_id: str | None = None,
        in_reply_to_tweet_id: str | None = None,
        created_at: datetime | None = None,
        media: Sequence[Mapping[str, Any]] = (),
    ) -> dict:
        """A customer's tweet mentioning the account (its @handle added if missing)."""
        account = self.state.accounts[account_user_id]
        self.state.remember_user(dict(author))
        if f"@{account.username}".lower() not in text.lower():
            text = f"@{account.username} {text}"
        tweet = self.state.create_tweet(
            str(author["id"]),
            text,
            in_reply_to_tweet_id=in_reply_to_tweet_id,
            conversation_id=conversation_id,
            created_at=created_at,
            extra_mentions=(account_user_id,),
        )
        x_media.attach(self.state.media, tweet, media)
        return wire.plain(tweet)

    def add_dm(
        self,
        account_user_id: str,
        sender: Mapping[str, str],
        text: str,
        created_at: datetime | None = None,
        media: Sequence[Mapping[str, Any]] = (),
        group_id: str | None = None,
    ) -> dict:
        """A DM to the account; ``group_id``: in that group conversation (X's ids of group
        conversations have no hyphen). ``sender`` may be the account itself."""
        self.state.remember_user(dict(sender))
        event = self.state.create_dm(str(sender["id"]), account_user_id, text, created_at)
        event["dm_conversation_id"] = group_id or event["dm_conversation_id"]
        x_media.attach(self.state.media, event, media)
        return wire.plain(event)

    def add_malformed_mention(self, account_user_id: str, raw: Mapping[str, Any]) -> dict:
        """Serve ``raw`` verbatim in the account's mentions: an item that is wrong on purpose."""
        entry = self.state.add_raw_mention(account_user_id, dict(raw))
        return {**(entry.raw or {}), "_seq": str(entry.seq)}

    def delete_tweet(self, tweet_id: str) -> bool:
        return self.state.delete_tweet(tweet_id)

    def posted_replies(self, account_user_id: str) -> list[dict]:
        return [wire.plain(t) for t in self.state.authored_by(account_user_id)]

    def sent_dms(self, account_user_id: str) -> list[dict]:
        return [wire.plain(e) for e in self.state.dms_sent_by(account_user_id)]

    def request_log(self) -> list[tuple[str, str]]:
        """Every /2/ request served, in order (tests assert "no second call")."""
        with self._log_lock:
            return list(self._request_log)

    def _control(self, request: SimRequest) -> SimResponse:
        if request.method == "POST" and request.path == "/_sim/x/accounts":
            spec = request.json()
            self.add_account(spec["user_id"], spec["username"], spec["name"], spec["token"])
            return SimResponse.json({"ok": True}, 201)
        if request.method == "POST" and request.path == "/_sim/x/mentions":
            spec = request.json()
            created_at = wire.parse_time(spec.pop("created_at", None))
            return SimResponse.json(self.add_mention(created_at=created_at, **spec), 201)
        if request.method == "POST" and request.path == "/_sim/x/dms":
            spec = request.json()
            created_at = wire.parse_time(spec.pop("created_at", None))
            return SimResponse.json(self.add_dm(created_at=created_at, **spec), 201)
        if request.method == "POST" and request.path == "/_sim/x/malformed_mentions":
            spec = request.json()
            return SimResponse.json(self.add_malformed_mention(**spec), 201)
        match = SIM_TWEET.match(request.path)
        if request.method == "DELETE" and match:
            deleted = self.delete_tweet(match.group(1))
            return SimResponse.json({"deleted": deleted}, 200 if deleted else 404)
        return SimResponse.json({"error": "unknown x control route"}, 404)

    # -- the X API ---------------------------------------------------------------------------

    def _route(self, request: SimRequest) -> tuple[str, Route | None]:
        if request.method == "GET" and (match := MENTIONS.match(request.path)):
            user_id = match[1]
            return "GET /2/users/:id/mentions", lambda r, me, o: self._mentions(r, me, o, user_id)
        if request.method == "GET" and (match := USER_TWEETS.match(request.path)):
            user_id = match[1]
            return "GET /2/users/:id/tweets", lambda r, me, o: self._user_tweets(r, o, user_id)
        if request.method == "GET" and request.path == "/2/users/me":
            return "GET /2/users/me", lambda r, me, o: SimResponse.json(
                {"data": self.state.users[me]}
            )
        if request.method == "GET" and request.path == "/2/users":
            return "GET /2/users", lambda r, me, o: users_by_ids(r, self.state.users)
        if request.method == "GET" and request.path == "/2/dm_events":
            return "GET /2/dm_events", lambda r, me, o: self._dm_events(r, me, o, None)
        if request.method == "GET" and (match := DM_WITH_EVENTS.match(request.path)):
            participant_id = match[1]
            endpoint = "GET /2/dm_conversations/with/:participant_id/dm_events"
            return endpoint, lambda r, me, o: self._dm_events(r, me, o, participant_id)
        if request.method == "POST" and request.path == "/2/tweets":
            return "POST /2/tweets", lambda r, me, o: writes.create_tweet(self, r, me)
        if request.method == "POST" and (match := DM_WITH.match(request.path)):
            participant_id = match[1]
            endpoint = "POST /2/dm_conversations/with/:participant_id/messages"
            return endpoint, lambda r, me, o: writes.create_dm(self, r, me, participant_id)
        if request.path.startswith("/2/media/upload"):
            return (
                "/2/media/upload",
                lambda r, me, o: (
                    self.uploads.route(r, me, self.faults) or wire.not_found_route(r.path)
                ),
            )
        if request.method == "PUT" and (match := HIDDEN.match(request.path)):
            tweet_id = match[1]
            return "PUT /2/tweets/:id/hidden", lambda r, me, o: set_hidden(
                self.state, r, me, tweet_id
            )
        return "", None

    def _answer(
        self,
        request: SimRequest,
        endpoint: str,
        route: Route,
        fault: Fault | None,
    ) -> SimResponse:
        kind = fault.kind if fault else None
        if fault is not None and kind is FaultKind.SLOW:
            time.sleep(fault.delay_seconds)
        if kind is FaultKind.SERVER_ERROR_HTML:
            return wire.service_unavailable_html()
        account = self.state.account_for_token(request.bearer_token)
        if account is None or kind is FaultKind.EXPIRED_TOKEN:
            return wire.unauthorized()
        if fault is not None and kind is FaultKind.RATE_LIMIT:
            reset = int(self._clock()) + fault.reset_after_seconds
            response = wire.too_many_requests()
            limit = self.limits.peek(account.user_id, endpoint).limit
            response.headers.update(
                {
                    "x-rate-limit-limit": str(limit),
                    "x-rate-limit-remaining": "0",
                    "x-rate-limit-reset": str(reset),
                }
            )
            return response
        budget = self.limits.spend(account.user_id, endpoint)
        if budget.exhausted:
            response = wire.too_many_requests()
        else:
            overlap = DUPLICATE_OVERLAP if kind is FaultKind.DUPLICATE_ITEMS else 0
            response = route(request, account.user_id, overlap)
            if kind is FaultKind.MISSING_INCLUDES:
                response = x_media.without_users(response)
        response.headers.update(budget.headers())
        return response

    # GET /2/users/{id}/mentions
    def _mentions(self, request: SimRequest, me: str, overlap: int, user_id: str) -> SimResponse:
        bounds = _timeline_bounds(request, user_id, overlap)
        if isinstance(bounds, SimResponse):
            return bounds
        if user_id not in self.state.accounts:
            if user_id in self.state.users:
                return SimResponse.json({"meta": {"result_count": 0}})
            return SimResponse.json({"errors": [wire.user_not_found(user_id)]})
        return self._tweet_list(request, *self.state.mentions_page(user_id, **bounds))

    # GET /2/users/{id}/tweets (the account's own timeline: finds a reply of unknown outcome)
    def _user_tweets(self, request: SimRequest, overlap: int, user_id: str) -> SimResponse:
        bounds = _timeline_bounds(request, user_id, overlap)
        if isinstance(bounds, SimResponse):
            return bounds
        raw_start = request.arg("start_time")
        try:
            start_time = datetime.fromisoformat(raw_start) if raw_start else None
        except ValueError:
            return wire.invalid_request(
                "start_time", raw_start or "", f"Invalid start_time value: [{raw_start}]"
            )
        page, repeated = self.state.authored_page(user_id, start_time, **bounds)
        return self._tweet_list(request, page, repeated)

    def _tweet_list(
        self, request: SimRequest, page: Page, repeated: tuple[Entry, ...]
    ) -> SimResponse:
        fields = wire.csv_arg(request.arg("tweet.fields")) & wire.TWEET_OPTIONAL_FIELDS
        entries = (*repeated, *page.entries)
        body: dict[str, Any] = {}
        if entries:
            body["data"] = [self._tweet_item(e, fields) for e in entries]
            items = [self.state.tweets[e.ref] for e in entries if e.ref]
            users = page_users(request, items, "tweet", self.state.users)
            body.update(x_media.includes(request, items, self.state.media, users))
        body["meta"] = _meta(page, repeated, with_ids=True)
        return SimResponse.json(body)

    # GET /2/dm_events and GET /2/dm_conversations/with/{participant_id}/dm_events
    def _dm_events(
        self, request: SimRequest, me: str, overlap: int, participant_id: str | None
    ) -> SimResponse:
        bounds = _list_bounds(request, low=1, high=100, default=100, overlap=overlap)
        if isinstance(bounds, SimResponse):
            return bounds
        conversation = None
        if participant_id is not None:
            if not participant_id.isdigit():
                return wire.invalid_request(
                    "participant_id", participant_id, "The participant_id is not valid"
                )
            conversation = dm_conversation_id(me, participant_id)
        page, repeated = self.state.dm_page(me, conversation, **bounds)
        types = wire.csv_arg(request.arg("event_types")) or {"MessageCreate"}
        fields = wire.csv_arg(request.arg("dm_event.fields")) & wire.DM_OPTIONAL_FIELDS
        entries = [
            e
            for e in (*repeated, *page.entries)
            if self.state.dm_events[e.ref or ""]["event_type"] in types
        ]
        body: dict[str, Any] = {}
        if entries:
            body["data"] = [
                wire.select(self.state.dm_events[e.ref or ""], wire.DM_DEFAULT_FIELDS, fields)
                for e in entries
            ]
            items = [self.state.dm_events[e.ref or ""] for e in entries]
            users = page_users(request, items, "dm", self.state.users)
            body.update(x_media.includes(request, items, self.state.media, users))
        body["meta"] = _meta(page, repeated, with_ids=False)
        body["meta"]["result_count"] = len(entries)
        return SimResponse.json(body)

    # -- rendering helpers -------------------------------------------------------------------

    def _tweet_item(self, entry: Entry, fields: set[str]) -> dict[str, Any]:
        if entry.raw is not None:
            return dict(entry.raw)
        return wire.select(self.state.tweets[entry.ref or ""], wire.TWEET_DEFAULT_FIELDS, fields)


def _timeline_bounds(
    request: SimRequest, user_id: str, overlap: int
) -> dict[str, Any] | SimResponse:
    """A user timeline's (mentions, tweets) page bounds, or X's 400 for a bad id or bound."""
    if not user_id.isdigit():
        return _invalid_query("id", user_id)
    return _list_bounds(request, low=5, high=100, default=10, overlap=overlap)


def _invalid_query(name: str, value: str) -> SimResponse:
    return wire.invalid_request(
        name, value, f"The `{name}` query parameter value [{value}] is not valid"
    )


def _list_bounds(
    request: SimRequest, *, low: int, high: int, default: int, overlap: int
) -> dict[str, Any] | SimResponse:
    raw_max = request.arg("max_results")
    if raw_max is not None and (not raw_max.isdigit() or not low <= int(raw_max) <= high):
        return wire.invalid_request(
            "max_results",
            raw_max,
            f"The `max_results` query parameter value [{raw_max}] is not between {low} and {high}",
        )
    bounds: dict[str, Any] = {"size": int(raw_max) if raw_max else default}
    for name, key in (("since_id", "since"), ("until_id", "until")):
        value = request.arg(name)
        if value is None:
            continue
        if not value.isdigit():
            return _invalid_query(name, value)
        bounds[key] = int(value)
    token = request.arg("pagination_token")
    if token:
        seq = wire.token_seq(token)
        if seq is None:
            return _invalid_query("pagination_token", token)
        bounds["before"] = seq
        bounds["overlap"] = overlap  # only a later page has a previous page to repeat
    return bounds


def _meta(page: Page, repeated: tuple[Entry, ...], *, with_ids: bool) -> dict[str, Any]:
    entries = (*repeated, *page.entries)
    meta: dict[str, Any] = {"result_count": len(entries)}
    if entries and with_ids:
        meta["newest_id"] = str(entries[0].seq)
        meta["oldest_id"] = str(entries[-1].seq)
    if page.has_more and page.entries:
        meta["next_token"] = wire.page_token(page.entries[-1].seq)
    return meta
