"""Which Instagram object a Graph request names and what it does there: the Instagram business
account (``/{ig-user-id}``, ``/media``), a media (``/comments``) or a comment (``/replies``,
hide, delete). Each is reachable only with the token of the Page it is linked to. Callers hold
the world's lock."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from connectors.simulator.graph.instagram_mentions import (
    is_mention_lookup,
    mention_lookup,
    reply_to_mention,
)
from connectors.simulator.graph.instagram_render import InstagramRender
from connectors.simulator.graph.instagram_world import IgComment
from connectors.simulator.graph.wire import GraphFault, graph_time

if TYPE_CHECKING:
    from connectors.simulator.graph.routes import Answer, Call
    from connectors.simulator.graph.world import GraphWorld

MAX_COMMENT_TEXT = 2200  # Instagram's caption and comment limit

IgRoute = Callable[["GraphWorld", "Call"], "Answer"]


def instagram_route(world: GraphWorld, call: Call) -> IgRoute | None:
    """The handler for ``call.object_id`` if it is an Instagram object the Page may reach."""
    ig = world.instagram
    account = ig.accounts.get(call.object_id)
    if account is not None and account.page_id == call.page.id:
        return _account
    media = ig.media.get(call.object_id)
    if media is not None and not media.deleted and media.owner_id == call.page.instagram_id:
        return _media
    if ig.readable_comment(call.object_id, call.page) is not None:
        return _comment
    return None


def _account(world: GraphWorld, call: Call) -> Answer:
    account = world.instagram.accounts[call.object_id]
    render = InstagramRender(world)
    if (call.request.method, call.edge) == ("POST", "mentions"):
        from connectors.simulator.graph.writes import form_or_json

        return reply_to_mention(world, account, form_or_json(call.request), call)
    if call.request.method != "GET":
        return None
    if call.edge is None and is_mention_lookup(call):
        return mention_lookup(world, account, call)
    if call.edge is None:
        return render.account(account, call.fields)
    if call.edge == "media":
        return render.media_list(account, call.fields, call.listing())
    return None


def _media(world: GraphWorld, call: Call) -> Answer:
    media = world.instagram.media[call.object_id]
    render = InstagramRender(world)
    method, edge = call.request.method, call.edge
    if (method, edge) == ("GET", None):
        return render.media(media, call.fields, call.listing())
    if (method, edge) == ("GET", "comments"):
        return render.comment_list(media, None, call.fields, call.listing(50))
    if (method, edge) == ("POST", "comments"):  # the account comments on its own media
        return _write_comment(world, call, media.id, None)
    return None


def _comment(world: GraphWorld, call: Call) -> Answer:
    comment = world.instagram.comments[call.object_id]
    render = InstagramRender(world)
    method, edge = call.request.method, call.edge
    if (method, edge) == ("GET", None):
        return render.comment(comment, call.fields, call.listing())
    if (method, edge) == ("GET", "replies"):
        media = world.instagram.media[comment.media_id]
        return render.comment_list(media, comment, call.fields, call.listing(50))
    if (method, edge) == ("POST", "replies"):
        return _reply(world, call, comment)
    if (method, edge) == ("POST", None):
        return _hide(call, comment)
    if (method, edge) == ("DELETE", None):
        comment.deleted = True
        return {"success": True}
    return None


def _reply(world: GraphWorld, call: Call, comment: IgComment) -> Answer:
    if comment.parent_id is not None:
        raise GraphFault(
            "(#100) Replies can only be made to top-level comments. This comment is a reply.",
            code=100, subcode=2534005, type_="IGApiException",
        )  # fmt: skip
    if comment.hidden:
        raise GraphFault(
            "(#100) This comment is hidden and can't be replied to. Unhide it first.",
            code=100, subcode=2534006, type_="IGApiException",
        )  # fmt: skip
    return _write_comment(world, call, comment.media_id, comment)


def _write_comment(
    world: GraphWorld, call: Call, media_id: str, parent: IgComment | None
) -> dict[str, Any]:
    from connectors.simulator.graph.writes import form_or_json

    text = form_or_json(call.request).get("message", "")
    if not text:
        raise GraphFault("(#100) The parameter message is required", code=100)
    if len(text) > MAX_COMMENT_TEXT:
        raise GraphFault(
            "(#100) The comment is too long: at most 2200 characters are allowed.",
            code=100, subcode=2207004, type_="IGApiException",
        )  # fmt: skip
    ig = world.instagram
    account = ig.accounts[call.page.instagram_id or ""]
    created = ig.add_comment(media_id, account.ref, text, call.now, parent.id if parent else None)
    account.sent_replies.append(
        {"id": created.id, "media_id": media_id, "in_reply_to": parent.id if parent else None,
         "text": text, "timestamp": graph_time(call.now)}
    )  # fmt: skip
    return {"id": created.id}


def _hide(call: Call, comment: IgComment) -> Answer:
    form = call.request.form()
    if "hide" not in form:
        return None
    if comment.author.get("id") == call.page.instagram_id:
        raise GraphFault("(#100) You cannot hide your own comments", code=100)
    comment.hidden = form["hide"].lower() == "true"
    return {"success": True}
