"""Which Graph object and edge a request names, and what it does there: the Page itself, a
post, a comment, or a Messenger conversation, each reachable only with its own Page's token.
Callers hold the world's lock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from connectors.simulator.graph import writes
from connectors.simulator.graph.instagram_render import InstagramRender
from connectors.simulator.graph.instagram_routes import instagram_route
from connectors.simulator.graph.render import Fields, GraphRender
from connectors.simulator.graph.wire import (
    GraphFault,
    PageRequest,
    missing_object,
    page_request,
    paginate,
    parse_fields,
    project,
)
from connectors.simulator.graph.world import Comment, Conversation, GraphWorld, Page, Post
from connectors.simulator.wire import SimRequest

Answer = dict[str, Any] | None  # None: this object has no such edge for this method


@dataclass(frozen=True, slots=True)
class Call:
    """One authenticated Graph request: ``/{version}/{object_id}/{edge}``."""

    request: SimRequest
    page: Page
    token: str
    version: str
    object_id: str
    edge: str | None
    duplicate: bool  # the DUPLICATE_ITEMS fault: pages overlap
    now: datetime

    @property
    def fields(self) -> Fields:
        return parse_fields(self.request.form().get("fields"))

    def listing(self, default_limit: int = 25) -> PageRequest:
        url_path = f"/{self.version}/{self.object_id}/{self.edge}"
        request = page_request(self.request, url_path, self.token, default_limit)
        return replace(request, duplicate=self.duplicate)


def route(world: GraphWorld, render: GraphRender, call: Call) -> dict[str, Any]:
    answer = _object_route(world, call)(world, render, call)
    if answer is not None:
        return answer
    if call.edge is None:
        raise missing_object(call.object_id, call.request.method)
    raise GraphFault(f"(#100) Unknown path components: /{call.edge}", code=100)


Route = Callable[[GraphWorld, GraphRender, Call], Answer]


def _object_route(world: GraphWorld, call: Call) -> Route:
    object_id, page = call.object_id, call.page
    if object_id == page.id:
        return _page
    post = world.posts.get(object_id)
    if post is not None and post.page_id == page.id:
        return _post
    comment = world.comments.get(object_id)
    if comment is not None and visible(world, comment, page):
        return _comment
    conversation = world.conversations.get(object_id)
    if conversation is not None and conversation.page_id == page.id:
        return _conversation
    instagram = instagram_route(world, call)
    if instagram is not None:
        return lambda world, _render, call: instagram(world, call)
    raise missing_object(object_id, call.request.method)


def visible(world: GraphWorld, comment: Comment, page: Page) -> bool:
    return not comment.deleted and world.posts[comment.post_id].page_id == page.id


def _page(world: GraphWorld, render: GraphRender, call: Call) -> Answer:
    page, token, version = call.page, call.token, call.version

    def feed() -> Answer:
        return render.feed(page, call.fields, call.listing(), token, version)

    def conversations() -> Answer:
        form = call.request.form()
        if form.get("platform") == "instagram":
            return InstagramRender(world).conversations(
                page, form, call.fields, call.listing(), version
            )
        return render.conversations(form, page, call.fields, call.listing(), token, version)

    linked = {"id": page.instagram_id} if page.instagram_id else None
    scalars = {**page.ref, "instagram_business_account": linked}

    return _dispatch(call, {
        ("GET", None): lambda: project("Page", scalars, {}, call.fields, ["id", "name"]),
        ("GET", "feed"): feed,
        ("GET", "posts"): feed,
        ("GET", "conversations"): conversations,
        ("GET", "personas"): lambda: paginate(list(page.personas.values()), call.listing()),
        ("POST", "messages"): lambda: writes.send_message(world, call.request, page, call.now),
        ("POST", "personas"): lambda: writes.create_persona(world, call.request, page),
        ("POST", "photos"): lambda: world.uploads.photo(call.request, page),
        ("POST", "message_attachments"): lambda: world.uploads.attachment(call.request, page),
    })  # fmt: skip


def _post(world: GraphWorld, render: GraphRender, call: Call) -> Answer:
    post: Post = world.posts[call.object_id]
    form = call.request.form()
    return _dispatch(call, {
        ("GET", None): lambda: render.post(post, call.fields, call.token, call.version),
        ("GET", "comments"): lambda: render.comment_list(
            post, None, call.listing(), form, call.fields
        ),
        ("POST", "comments"): lambda: writes.comment_reply(
            world, call.request, call.page, post, None, call.now
        ),
    })  # fmt: skip


def _comment(world: GraphWorld, render: GraphRender, call: Call) -> Answer:
    comment: Comment = world.comments[call.object_id]
    post = world.posts[comment.post_id]
    form = call.request.form()

    def hide() -> Answer:  # POST to the comment itself does nothing else
        if "is_hidden" not in form:
            return None
        if comment.author.get("id") == call.page.id:  # Graph hides only other people's comments
            raise GraphFault("(#100) A Page cannot hide its own comments", code=100)
        comment.hidden = form["is_hidden"].lower() == "true"
        return {"success": True}

    def delete() -> Answer:
        comment.deleted = True
        return {"success": True}

    return _dispatch(call, {
        ("GET", None): lambda: render.comment(comment, call.fields),
        ("GET", "comments"): lambda: render.comment_list(
            post, comment, call.listing(), form, call.fields
        ),
        ("POST", "comments"): lambda: writes.comment_reply(
            world, call.request, call.page, post, comment, call.now
        ),
        ("POST", None): hide,
        ("DELETE", None): delete,
    })  # fmt: skip


def _conversation(world: GraphWorld, render: GraphRender, call: Call) -> Answer:
    conversation: Conversation = world.conversations[call.object_id]
    if conversation.platform == "instagram":
        ig = InstagramRender(world)
        return _dispatch(call, {
            ("GET", None): lambda: ig.conversation(
                conversation, call.fields, call.token, call.version
            ),
            ("GET", "messages"): lambda: ig.messages(conversation, call.fields, call.listing()),
        })  # fmt: skip
    return _dispatch(call, {
        ("GET", None): lambda: render.conversation(
            conversation, call.fields, call.token, call.version
        ),
        ("GET", "messages"): lambda: render.messages(conversation, call.fields, call.listing()),
    })  # fmt: skip


def _dispatch(call: Call, handlers: dict[tuple[str, str | None], Callable[[], Answer]]) -> Answer:
    handler = handlers.get((call.request.method, call.edge))
    return handler() if handler else None
