"""A wire-exact subset of the Graph API: Page comments, Messenger, personas, with faults.

What it serves (PLATFORMS.md): ``/{v}/{page}/conversations`` and ``/{v}/{page}/feed`` with
field expansion and cursor paging, ``POST /{v}/{page}/messages`` enforcing the Messenger
window, ``POST /{v}/{page}/personas``, ``POST /{v}/{comment}/comments``. Auth is the
``access_token`` argument. The Conversations API allows 2 calls/s per Page (error 32), the
Send API 300 calls/s (error 613).

Ordering choices the real API leaves loosely documented: feeds list posts by ``updated_time``
(a new comment bumps its post), newest first; conversations by ``updated_time``, newest first;
a conversation's messages newest first; comments oldest first.

Tests and the traffic generator inject traffic with ``add_page``, ``add_post``, ``add_comment``,
``add_messenger_message``, ``delete_comment``, ``add_malformed_comment``, or over HTTP under
``/_sim/graph/``; they inspect what the Page sent with ``page_replies`` and ``personas``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.simulator.faults import Fault, FaultBoard, FaultKind
from connectors.simulator.graph.control import CONTROL_PREFIX, graph_control
from connectors.simulator.graph.limits import GraphLimits
from connectors.simulator.graph.wire import (
    FieldSpec,
    GraphFault,
    PageRequest,
    graph_time,
    json_arg,
    missing_object,
    nested_page_request,
    page_request,
    paginate,
    parse_fields,
    parse_moment,
    project,
)
from connectors.simulator.graph.world import (
    Comment,
    Conversation,
    GraphWorld,
    MessengerMessage,
    Page,
    Post,
)
from connectors.simulator.wire import SimRequest, SimResponse

GRAPH_PATH = re.compile(r"^/(v\d+\.\d+)/([^?]*)$")

STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
MESSAGE_TAGS = {"HUMAN_AGENT", "ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE"}
MAX_MESSAGE_TEXT = 2000
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
        self._clock = clock or (lambda: datetime.now(UTC))
        self._per_second = conversations_calls_per_second
        self._limits = GraphLimits()
        self._requests_lock = threading.Lock()
        self.requests: list[str] = []  # "GET /v21.0/…" in arrival order, for tests

    def now(self) -> datetime:
        return self._clock().astimezone(UTC).replace(microsecond=0)

    # --- injection (tests, traffic generator) -------------------------------------------------

    def add_page(self, page_id: str, name: str, token: str) -> dict[str, str]:
        return self.world.add_page(page_id, name, token).ref

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
    ) -> dict[str, Any]:
        comment = self.world.add_comment(
            post_id, author, message, parse_moment(created_time, self.now()), parent_id
        )
        return self._comment(comment, parse_fields("id,message,from,created_time,parent"))

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
    ) -> dict[str, Any]:
        conversation, message = self.world.add_messenger_message(
            page_id, psid, name, text, parse_moment(created_time, self.now())
        )
        rendered = self._message(message, parse_fields("id,message,from,to,created_time"))
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
        fault = faults.take("graph", request.path)
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
            return SimResponse(500, MAINTENANCE_HTML, {"Content-Type": "text/html; charset=utf-8"})
        if kind is FaultKind.SLOW:
            time.sleep(fault.delay_seconds)
        if kind is FaultKind.EXPIRED_TOKEN:
            raise _expired_token()
        page, token = self._authenticate(request)
        page_scoped = segments[0] in (page.id, "me") or segments[0].startswith("t_")
        if kind is FaultKind.RATE_LIMIT:
            return self._limits.rate_limited(page.id, fault.reset_after_seconds, page_scoped)
        if self._is_conversations_api(segments) and not self._limits.within(
            f"conversations:{page.id}", self._per_second
        ):
            return self._limits.rate_limited(page.id, 0, page_scoped=True)
        if (
            request.method == "POST"
            and segments[1:] == ["messages"]
            and not self._limits.within(f"send:{page.id}", SEND_CALLS_PER_SECOND)
        ):
            return self._limits.send_limited(page.id)

        with self.world.lock:
            payload = self._route(
                request, page, token, version, segments, kind is FaultKind.DUPLICATE_ITEMS
            )
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
            if token in self.world.expired_tokens:
                raise _expired_token()
            page_id = self.world.tokens.get(token)
            if page_id is None:
                raise GraphFault("Invalid OAuth access token - Cannot parse access token", code=190)
            return self.world.pages[page_id], token

    def _is_conversations_api(self, segments: list[str]) -> bool:
        return (len(segments) == 2 and segments[1] == "conversations") or segments[0].startswith(
            "t_"
        )

    # --- routing ------------------------------------------------------------------------------

    def _route(
        self,
        request: SimRequest,
        page: Page,
        token: str,
        version: str,
        segments: list[str],
        duplicate: bool,
    ) -> dict[str, Any]:
        object_id = page.id if segments[0] == "me" else segments[0]
        edge = segments[1] if len(segments) > 1 else None
        fields = parse_fields(request.form().get("fields"))
        url_path = f"/{version}/{object_id}/{edge}"
        method = request.method

        def listing(default_limit: int = 25) -> PageRequest:
            return replace(
                page_request(request, url_path, token, default_limit), duplicate=duplicate
            )

        world = self.world
        if object_id == page.id:
            if method == "GET" and edge is None:
                return project(
                    "Page", {"id": page.id, "name": page.name}, {}, fields, ["id", "name"]
                )
            if method == "GET" and edge in ("feed", "posts"):
                return self._feed(page, fields, listing(), token, version)
            if method == "GET" and edge == "conversations":
                return self._conversations(request, page, fields, listing(), token, version)
            if method == "GET" and edge == "personas":
                return paginate(list(page.personas.values()), listing())
            if method == "POST" and edge == "messages":
                return self._send_message(request, page)
            if method == "POST" and edge == "personas":
                return self._create_persona(request, page)
        elif object_id in world.posts and world.posts[object_id].page_id == page.id:
            post = world.posts[object_id]
            if method == "GET" and edge is None:
                return self._post(post, fields, token, version)
            if method == "GET" and edge == "comments":
                return self._comment_list(post, None, listing(), request.form(), fields)
            if method == "POST" and edge == "comments":
                return self._reply(request, page, post, None)
        elif object_id in world.comments and self._visible(world.comments[object_id], page):
            comment = world.comments[object_id]
            post = world.posts[comment.post_id]
            if method == "GET" and edge is None:
                return self._comment(comment, fields)
            if method == "GET" and edge == "comments":
                return self._comment_list(post, comment, listing(), request.form(), fields)
            if method == "POST" and edge == "comments":
                return self._reply(request, page, post, comment)
            if method == "POST" and edge is None and "is_hidden" in request.form():
                comment.hidden = request.form()["is_hidden"].lower() == "true"
                return {"success": True}
            if method == "DELETE" and edge is None:
                comment.deleted = True
                return {"success": True}
        elif object_id in world.conversations and world.conversations[object_id].page_id == page.id:
            conversation = world.conversations[object_id]
            if method == "GET" and edge is None:
                return self._conversation(conversation, fields, token, version)
            if method == "GET" and edge == "messages":
                messages = self._newest_first(conversation.messages)
                return paginate([self._message(m, fields) for m in messages], listing())
        else:
            raise missing_object(object_id, method)
        if edge is None:
            raise missing_object(object_id, method)
        raise GraphFault(f"(#100) Unknown path components: /{edge}", code=100)

    def _visible(self, comment: Comment, page: Page) -> bool:
        return not comment.deleted and self.world.posts[comment.post_id].page_id == page.id

    @staticmethod
    def _newest_first(messages: list[MessengerMessage]) -> list[MessengerMessage]:
        return sorted(messages, key=lambda m: m.created_time, reverse=True)

    # --- rendering ----------------------------------------------------------------------------

    def _feed(
        self, page: Page, fields: tuple[FieldSpec, ...] | None, listing: PageRequest, token: str,
        version: str,
    ) -> dict[str, Any]:  # fmt: skip
        posts = sorted(page.posts.values(), key=lambda p: (p.updated_time, p.id), reverse=True)
        return paginate([self._post(p, fields, token, version) for p in posts], listing)

    def _post(
        self, post: Post, fields: tuple[FieldSpec, ...] | None, token: str, version: str
    ) -> dict[str, Any]:
        page = self.world.pages[post.page_id]
        scalars = {
            "id": post.id,
            "message": post.message,
            "created_time": graph_time(post.created_time),
            "updated_time": graph_time(post.updated_time),
            "from": page.ref,
            "permalink_url": f"https://www.facebook.com/{post.id.replace('_', '/posts/')}",
        }

        def comments(spec: FieldSpec) -> dict[str, Any] | None:
            listing = nested_page_request(spec, f"/{version}/{post.id}/comments", token)
            rendered = self._comment_list(post, None, listing, spec.modifiers, spec.children)
            return rendered if rendered["data"] else None  # Graph omits empty edges

        return project(
            "Post", scalars, {"comments": comments}, fields, ["created_time", "message", "id"]
        )

    def _comment_list(
        self,
        post: Post,
        parent: Comment | None,
        listing: PageRequest,
        options: dict[str, str],
        fields: tuple[FieldSpec, ...] | None,
    ) -> dict[str, Any]:
        live = [c for c in post.comments if not c.deleted]
        if parent is not None:
            chosen = [c for c in live if c.parent_id == parent.id]
        elif options.get("filter", "toplevel") == "stream":
            chosen = live
        else:
            chosen = [c for c in live if c.parent_id is None]
        if options.get("order") == "reverse_chronological":
            chosen = list(reversed(chosen))
        return paginate([self._comment(c, fields) for c in chosen], listing)

    def _comment(self, comment: Comment, fields: tuple[FieldSpec, ...] | None) -> dict[str, Any]:
        if comment.raw is not None:
            return dict(comment.raw)
        parent = self.world.comments.get(comment.parent_id) if comment.parent_id else None
        scalars = {
            "id": comment.id,
            "message": comment.message,
            "created_time": graph_time(comment.created_time),
            "from": dict(comment.author),
            "is_hidden": comment.hidden,
            "parent": self._comment(parent, None) if parent else None,
            "permalink_url": f"https://www.facebook.com/{comment.post_id}?comment_id={comment.id}",
        }
        return project("Comment", scalars, {}, fields, ["created_time", "from", "message", "id"])

    def _conversations(
        self,
        request: SimRequest,
        page: Page,
        fields: tuple[FieldSpec, ...] | None,
        listing: PageRequest,
        token: str,
        version: str,
    ) -> dict[str, Any]:
        form = request.form()
        if form.get("platform", "messenger") != "messenger":
            return {"data": []}  # no Instagram inbox in this world
        conversations = [c for c in page.conversations.values() if c.messages]
        if form.get("user_id"):
            conversations = [c for c in conversations if c.psid == form["user_id"]]
        conversations.sort(key=lambda c: (c.updated_time, c.id), reverse=True)
        return paginate(
            [self._conversation(c, fields, token, version) for c in conversations], listing
        )

    def _conversation(
        self,
        conversation: Conversation,
        fields: tuple[FieldSpec, ...] | None,
        token: str,
        version: str,
    ) -> dict[str, Any]:
        page = self.world.pages[conversation.page_id]
        scalars = {
            "id": conversation.id,
            "updated_time": graph_time(conversation.updated_time),
            "link": f"/{page.id}/inbox/{conversation.id}",
            "message_count": len(conversation.messages),
            "unread_count": 0,
            "participants": {
                "data": [
                    _person({"id": conversation.psid, "name": conversation.name}),
                    _person(page.ref),
                ]
            },
        }

        def messages(spec: FieldSpec) -> dict[str, Any] | None:
            listing = nested_page_request(spec, f"/{version}/{conversation.id}/messages", token)
            rendered = paginate(
                [
                    self._message(m, spec.children)
                    for m in self._newest_first(conversation.messages)
                ],
                listing,
            )
            return rendered if rendered["data"] else None

        return project(
            "Conversation", scalars, {"messages": messages}, fields, ["link", "updated_time", "id"]
        )

    def _message(
        self, message: MessengerMessage, fields: tuple[FieldSpec, ...] | None
    ) -> dict[str, Any]:
        scalars = {
            "id": message.id,
            "message": message.text,
            "created_time": graph_time(message.created_time),
            "from": _person(message.sender),
            "to": {"data": [_person(message.recipient)]},
        }
        return project("Message", scalars, {}, fields, ["id", "created_time"])

    # --- writes -------------------------------------------------------------------------------

    def _send_message(self, request: SimRequest, page: Page) -> dict[str, Any]:
        form = _form_or_json(request)
        recipient = json_arg(form.get("recipient"))
        message = json_arg(form.get("message"))
        messaging_type = form.get("messaging_type")
        tag = form.get("tag")
        persona_id = form.get("persona_id")
        if not isinstance(recipient, dict) or not recipient.get("id"):
            raise GraphFault("(#100) The parameter recipient is required", code=100)
        if not isinstance(message, dict) or not isinstance(message.get("text"), str):
            raise GraphFault("(#100) The parameter message is required", code=100)
        if messaging_type not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
            raise GraphFault("(#100) The parameter messaging_type is required", code=100)
        if messaging_type == "MESSAGE_TAG" and tag not in MESSAGE_TAGS:
            raise GraphFault(f"(#100) Param tag must be one of {sorted(MESSAGE_TAGS)}", code=100)
        if len(message["text"]) > MAX_MESSAGE_TEXT:
            raise GraphFault(
                "(#100) Length of param message[text] must be less than or equal to 2000",
                code=100,
            )
        if persona_id and persona_id not in page.personas:
            raise GraphFault("(#100) Invalid persona_id", code=100)
        conversation = page.conversations.get(str(recipient["id"]))
        last = conversation.customer_last_message_at if conversation else None
        if conversation is None or last is None:
            raise GraphFault("(#100) No matching user found", code=100, subcode=2018001)
        now = self.now()
        allowed: timedelta | None = STANDARD_WINDOW
        if messaging_type == "MESSAGE_TAG":  # other tags are not bound to the window
            allowed = HUMAN_AGENT_WINDOW if tag == "HUMAN_AGENT" else None
        if allowed is not None and now - last > allowed:
            raise GraphFault(
                "(#10) This message is sent outside of allowed window. You need "
                "page_messaging_subscriptions permission to be able to do it.",
                code=10,
                subcode=2018278,
            )
        sent = self.world.page_message(page, conversation, message["text"], now)
        page.sent_messages.append(
            {
                "message_id": sent.id,
                "recipient_id": conversation.psid,
                "conversation_id": conversation.id,
                "text": sent.text,
                "messaging_type": messaging_type,
                "tag": tag,
                "persona_id": persona_id,
                "created_time": graph_time(now),
            }
        )
        return {"recipient_id": conversation.psid, "message_id": sent.id}

    def _create_persona(self, request: SimRequest, page: Page) -> dict[str, str]:
        form = _form_or_json(request)
        for required in ("name", "profile_picture_url"):
            if not form.get(required):
                raise GraphFault(f"(#100) The parameter {required} is required", code=100)
        return {"id": self.world.add_persona(page, form["name"], form["profile_picture_url"])["id"]}

    def _reply(
        self, request: SimRequest, page: Page, post: Post, target: Comment | None
    ) -> dict[str, str]:
        text = _form_or_json(request).get("message", "")
        if not text:
            raise GraphFault("(#100) The parameter message is required", code=100)
        now = self.now()
        comment = self.world.add_comment(
            post.id, page.ref, text, now, target.id if target else None
        )
        page.sent_comments.append(
            {
                "id": comment.id,
                "post_id": post.id,
                "in_reply_to": target.id if target else None,
                "parent_id": comment.parent_id,
                "message": text,
                "created_time": graph_time(now),
            }
        )
        return {"id": comment.id}


def _expired_token() -> GraphFault:
    return GraphFault(
        "Error validating access token: Session has expired on Tuesday, 01-Jul-25 09:00:00 "
        "PDT. The current time is later.",
        code=190,
        subcode=463,
    )


def _person(ref: dict[str, str]) -> dict[str, str]:
    return {"name": ref["name"], "email": f"{ref['id']}@facebook.com", "id": ref["id"]}


def _form_or_json(request: SimRequest) -> dict[str, str]:
    """Graph takes form fields (JSON-valued where structured) or a JSON body."""
    form = request.form()
    if "application/json" in request.headers.get("content-type", "") and request.body:
        body = request.json()
        if isinstance(body, dict):
            form.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})
    return form
