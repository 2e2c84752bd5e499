"""A wire-exact subset of the Graph API: Page comments, Messenger, personas, with faults.

What it serves (docs/platforms.md §5): ``/{v}/{page}/conversations`` and ``/{v}/{page}/feed`` with
field expansion and cursor paging, ``POST /{v}/{page}/messages`` enforcing the Messenger
window, ``POST /{v}/{page}/personas``, ``POST /{v}/{comment}/comments``. Auth is the
``access_token`` argument. The Conversations API allows 2 calls/s per Page (error 32), the
Send API 300 calls/s (error 613).

Here: authentication, limits and faults; routes.py says what each path does, render.py how
objects look on the wire, writes.py what the Page may send.

Tests and the traffic generator inject traffic with ``add_page``, ``add_post``, ``add_comment``,
``add_messenger_message``, ``delete_comment``, ``add_malformed_comment``, or over HTTP under
``/_sim/graph/``; they inspect what the Page sent with ``page_replies`` and ``personas``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from connectors.simulator.faults import API_KINDS, Fault, FaultBoard, FaultKind
from connectors.simulator.graph.control import CONTROL_PREFIX, graph_control
from connectors.simulator.graph.instagram_control import InstagramInjector
from connectors.simulator.graph.limits import GraphLimits
from connectors.simulator.graph.oauth import GraphOAuth
from connectors.simulator.graph.render import GraphRender
from connectors.simulator.graph.routes import Call, route
from connectors.simulator.graph.webhooks import WebhookSender
from connectors.simulator.graph.wire import GraphFault, graph_time, parse_fields, parse_moment
from connectors.simulator.graph.world import GraphWorld, Page
from connectors.simulator.wire import SimRequest, SimResponse

GRAPH_PATH = re.compile(r"^/(v\d+\.\d+)/([^?]*)$")

SEND_CALLS_PER_SECOND = 300  # Send API, per Page

MAINTENANCE_HTML = (
    b"<!DOCTYPE html><html><head><title>Facebook | Error</title></head><body>"
    b"<h1>Sorry, something went wrong.</h1><p>We're working on it and we'll get it fixed "
    b"as soon as we can.</p></body></html>"
)


class GraphApp:
    """The Graph API for the simulator (``PlatformApp`` in server.py)."""

    name = "graph"

    def __init__(
        self,
        clock: Callable[[], datetime] | None = None,
        conversations_calls_per_second: int = 2,
    ) -> None:
        self.world = GraphWorld()
        self._render = GraphRender(self.world)
        self._clock = clock or (lambda: datetime.now(UTC))
        self.oauth = GraphOAuth(self.world, self.now)  # Facebook Login: dialog, tokens, Pages
        self._per_second = conversations_calls_per_second
        self._limits = GraphLimits()
        self._requests_lock = threading.Lock()
        self.requests: list[str] = []  # "GET /v21.0/…" in arrival order, for tests
        self.webhooks = WebhookSender()  # signed deliveries of new items (graph/webhooks.py)
        self.instagram = InstagramInjector(self)  # Instagram traffic and inspection

    def now(self) -> datetime:
        return self._clock().astimezone(UTC).replace(microsecond=0)

    # --- injection (tests, traffic generator) -------------------------------------------------

    def add_page(self, page_id: str, name: str, token: str) -> dict[str, str]:
        return self.world.add_page(page_id, name, token).ref

    def add_facebook_user(
        self, user_id: str, name: str, page_ids: tuple[str, ...] | None = None
    ) -> None:
        """A Facebook user who can log in (``login_as``) and manages ``page_ids`` (None: all)."""
        self.oauth.grants.add_user(user_id, name, page_ids)

    def add_limited_token(self, token: str, page_id: str, reads: str) -> None:
        """Another token for the Page that reads as ``reads`` ("user" or "no_moderate")."""
        with self.world.lock:
            self.world.tokens[token] = page_id
            self.world.limited_tokens[token] = reads

    def expire_token(self, token: str) -> None:
        with self.world.lock:
            self.world.expired_tokens.add(token)

    def add_post(
        self, page_id: str, message: str, created_time: datetime | str | None = None
    ) -> dict[str, Any]:
        post = self.world.add_post(page_id, message, parse_moment(created_time, self.now()))
        return {
            "id": post.id,
            "message": post.message,
            "created_time": graph_time(post.created_time),
        }

    def add_comment(
        self,
        post_id: str,
        author: dict[str, str],
        message: str,
        parent_id: str | None = None,
        created_time: datetime | str | None = None,
        attachment: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        comment = self.world.add_comment(
            post_id, author, message, parse_moment(created_time, self.now()), parent_id,
            attachment=attachment,
        )  # fmt: skip
        self.webhooks.comment(self.world.posts[post_id].page_id, comment, post_id)
        return self._render.comment(comment, parse_fields("id,message,from,created_time,parent"))

    def add_malformed_comment(self, post_id: str, raw: dict[str, Any]) -> dict[str, Any]:
        """A comment rendered exactly as ``raw`` (to exercise the parser's rejection path)."""
        try:
            created = parse_moment(raw.get("created_time"), self.now())
        except (TypeError, ValueError):
            created = self.now()
        self.world.add_comment(post_id, {"id": "", "name": ""}, "", created, raw=dict(raw))
        return raw

    def delete_comment(self, comment_id: str) -> None:
        with self.world.lock:
            self.world.comments[comment_id].deleted = True

    def add_messenger_message(
        self,
        page_id: str,
        psid: str,
        name: str,
        text: str,
        created_time: datetime | str | None = None,
        media: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        conversation, message = self.world.add_messenger_message(
            page_id, psid, name, text, parse_moment(created_time, self.now()), media
        )
        self.webhooks.messenger(page_id, message)
        rendered = self._render.message(message, parse_fields("id,message,from,to,created_time"))
        return {"conversation_id": conversation.id, **rendered}

    # --- inspection ---------------------------------------------------------------------------

    def page_replies(self, page_id: str) -> dict[str, list[dict[str, Any]]]:
        """What the Page posted: comment replies and Messenger messages (with persona and tag)."""
        with self.world.lock:
            page = self.world.pages[page_id]
            return {
                "comments": [dict(c) for c in page.sent_comments],
                "messages": [dict(m) for m in page.sent_messages],
            }

    def personas(self, page_id: str) -> list[dict[str, str]]:
        with self.world.lock:
            return [dict(p) for p in self.world.pages[page_id].personas.values()]

    def snapshot(self) -> dict[str, Any]:
        with self.world.lock:
            return {
                "pages": {
                    page.id: {
                        "name": page.name,
                        "posts": len(page.posts),
                        "comments": sum(len(p.comments) for p in page.posts.values()),
                        "conversations": len(page.conversations),
                        "personas": self.personas(page.id),
                        "replies": self.page_replies(page.id),
                    }
                    for page in self.world.pages.values()
                },
                "requests": len(self.requests),
            }

    # --- PlatformApp --------------------------------------------------------------------------

    def handles(self, request: SimRequest) -> bool:
        return bool(GRAPH_PATH.match(request.path)) or request.path.startswith(CONTROL_PREFIX)

    def handle(self, request: SimRequest, faults: FaultBoard) -> SimResponse:
        if request.path.startswith(CONTROL_PREFIX):
            return graph_control(self, request)
        with self._requests_lock:
            self.requests.append(f"{request.method} {request.path}")
        match = GRAPH_PATH.match(request.path)
        segments = [s for s in (match[2] if match else "").split("/") if s]
        if match and self.oauth.handles(request, segments):
            return self.oauth.handle(request, match[1], segments, faults)
        fault = faults.take("graph", request.path, API_KINDS)
        self.world.uploads.faults = faults  # media faults are taken by the upload routes
        try:
            return self._serve(request, fault)
        except GraphFault as error:
            return error.response()

    def _serve(self, request: SimRequest, fault: Fault | None) -> SimResponse:
        match = GRAPH_PATH.match(request.path)
        assert match is not None
        version, rest = match.groups()
        segments = [s for s in rest.split("/") if s]
        if not segments:
            raise GraphFault("(#100) Missing object id", code=100)
        kind = fault.kind if fault else None
        if kind is FaultKind.SERVER_ERROR_HTML:
            headers = {"Content-Type": "text/html; charset=utf-8"}
            if fault.retry_after_seconds is None:
                return SimResponse(500, MAINTENANCE_HTML, headers)
            headers["Retry-After"] = str(fault.retry_after_seconds)
            return SimResponse(503, MAINTENANCE_HTML, headers)
        if kind is FaultKind.SLOW:
            time.sleep(fault.delay_seconds)
        if kind is FaultKind.EXPIRED_TOKEN:
            raise _expired_token()
        page, token = self._authenticate(request)
        page_scoped = segments[0] in (page.id, "me") or segments[0].startswith("t_")
        if kind is FaultKind.RATE_LIMIT:
            return self._limits.rate_limited(page.id, fault.reset_after_seconds, page_scoped)
        conversations_api = self._is_conversations_api(segments, request)
        if conversations_api and not self._limits.within(
            f"conversations:{page.id}:{conversations_api}", self._per_second
        ):
            return self._limits.rate_limited(page.id, 0, page_scoped=True)
        if (
            request.method == "POST"
            and segments[1:] == ["messages"]
            and not self._limits.within(f"send:{page.id}", SEND_CALLS_PER_SECOND)
        ):
            return self._limits.send_limited(page.id)

        object_id = page.id if segments[0] == "me" else segments[0]
        edge = segments[1] if len(segments) > 1 else None
        duplicate = kind is FaultKind.DUPLICATE_ITEMS
        call = Call(request, page, token, version, object_id, edge, duplicate, self.now())
        with self.world.lock:
            payload = route(self.world, self._render, call)
        headers = {**self._limits.usage_headers(page.id), "facebook-api-version": version}
        response = SimResponse.json(payload, headers=headers)
        if kind is FaultKind.MALFORMED_JSON:
            response.body = response.body[: max(1, len(response.body) // 2)]
        return response

    # --- auth, limits, usage ------------------------------------------------------------------

    def _authenticate(self, request: SimRequest) -> tuple[Page, str]:
        token = request.form().get("access_token") or request.bearer_token
        if not token:
            raise GraphFault(
                "An active access token must be used to query information about the current "
                "user.", code=2500,
            )  # fmt: skip
        with self.world.lock:
            expires_at = self.world.token_expiry.get(token)
            if token in self.world.expired_tokens or (expires_at and self.now() >= expires_at):
                raise _expired_token()
            if token in self.world.revoked_tokens:
                raise GraphFault(
                    "Error validating access token: The user has not authorized application.",
                    code=190, subcode=458,
                )  # fmt: skip
            page_id = self.world.tokens.get(token)
            if page_id is None:
                raise GraphFault("Invalid OAuth access token - Cannot parse access token", code=190)
            return self.world.pages[page_id], token

    def _is_conversations_api(self, segments: list[str], request: SimRequest) -> str | None:
        """The platform whose Conversations API budget the call spends, if any (each Page has one
        for Messenger and one for its Instagram account)."""
        if len(segments) == 2 and segments[1] == "conversations":
            return request.form().get("platform", "messenger")
        conversation = self.world.conversations.get(segments[0])
        return conversation.platform if conversation is not None else None


def _expired_token() -> GraphFault:
    return GraphFault(
        "Error validating access token: Session has expired on Tuesday, 01-Jul-25 09:00:00 "
        "PDT. The current time is later.",
        code=190,
        subcode=463,
    )
