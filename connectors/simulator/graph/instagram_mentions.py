"""Mentions of an Instagram business account: another user's caption or comment that writes
``@username``. Instagram's ``mentions`` webhook field names only ``{media_id, comment_id}``; the
account reads the item through field expansion on itself, and answers by commenting on that
media through ``POST /{ig-user-id}/mentions`` (``media_id``, ``comment_id``, ``message``):

- ``GET /{ig-user-id}?fields=mentioned_media.media_id({id}){caption,media_type,…}``
- ``GET /{ig-user-id}?fields=mentioned_comment.comment_id({id}){text,timestamp,…,media{id}}``

A media the account cannot read (a private account's, or deleted) answers Graph's code 100,
subcode 33, and so does an item that does not mention the account. Callers hold the world's
lock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from connectors.simulator.graph.instagram_world import IgAccount, IgComment, IgMedia
from connectors.simulator.graph.wire import (
    FieldSpec,
    GraphFault,
    graph_time,
    nested_page_request,
    project,
)

if TYPE_CHECKING:
    from connectors.simulator.graph.routes import Call
    from connectors.simulator.graph.world import GraphWorld

LOOKUPS = ("mentioned_media", "mentioned_comment")


def is_mention_lookup(call: Call) -> bool:
    return any(spec.name in LOOKUPS for spec in call.fields or ())


def mention_lookup(world: GraphWorld, account: IgAccount, call: Call) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in call.fields or ():
        if spec.name == "mentioned_media":
            media = _media(world, account, spec.modifiers.get("media_id", ""), caption=True)
            out["mentioned_media"] = _render_media(world, media, spec.children)
        elif spec.name == "mentioned_comment":
            comment = _comment(world, account, spec.modifiers.get("comment_id", ""))
            out["mentioned_comment"] = _render_comment(comment, spec.children)
        elif spec.name in ("id", "username"):
            out[spec.name] = getattr(account, spec.name)
        else:
            raise GraphFault(f"(#100) Tried accessing nonexisting field ({spec.name})", code=100)
    out.setdefault("id", account.id)
    return out


def reply_to_mention(
    world: GraphWorld, account: IgAccount, form: dict[str, str], call: Call
) -> dict[str, Any]:
    """``POST /{ig-user-id}/mentions``: a comment on the mentioning media, or a reply under the
    mentioning comment."""
    from connectors.simulator.graph.instagram_routes import MAX_COMMENT_TEXT

    text, media_id = form.get("message", ""), form.get("media_id", "")
    if not media_id:
        raise GraphFault("(#100) The parameter media_id is required", code=100)
    if not text:
        raise GraphFault("(#100) The parameter message is required", code=100)
    if len(text) > MAX_COMMENT_TEXT:
        raise GraphFault(
            "(#100) The comment is too long: at most 2200 characters are allowed.",
            code=100, subcode=2207004, type_="IGApiException",
        )  # fmt: skip
    parent: IgComment | None = None
    if form.get("comment_id"):
        parent = _comment(world, account, form["comment_id"])
        media_id = parent.media_id
    else:
        _media(world, account, media_id, caption=True)
    created = world.instagram.add_comment(
        media_id, account.ref, text, call.now, parent.id if parent else None
    )
    account.sent_replies.append(
        {"id": created.id, "media_id": media_id, "in_reply_to": parent.id if parent else None,
         "text": text, "timestamp": graph_time(call.now), "mention": True}
    )  # fmt: skip
    return {"id": created.id}


def _unreadable(object_id: str) -> GraphFault:
    return GraphFault(
        f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation.",
        code=100, subcode=33,
    )  # fmt: skip


def _mentions(account: IgAccount, text: str) -> bool:
    return f"@{account.username}".lower() in text.lower()


def _media(world: GraphWorld, account: IgAccount, media_id: str, *, caption: bool) -> IgMedia:
    media = world.instagram.media.get(media_id)
    if media is None or media.deleted or media.private:
        raise _unreadable(media_id)
    if caption and not _mentions(account, media.caption):
        raise _unreadable(media_id)
    return media


def _comment(world: GraphWorld, account: IgAccount, comment_id: str) -> IgComment:
    comment = world.instagram.comments.get(comment_id)
    if comment is None or comment.deleted or not _mentions(account, comment.text):
        raise _unreadable(comment_id)
    _media(world, account, comment.media_id, caption=False)
    return comment


def _render_media(
    world: GraphWorld, media: IgMedia, fields: tuple[FieldSpec, ...] | None
) -> dict[str, Any]:
    scalars = {
        "id": media.id,
        "caption": media.caption,
        "media_type": media.media_type,
        "timestamp": graph_time(media.timestamp),
        "username": media.owner_username,
        "comments_count": len(media.live_comments),
        "like_count": 0,
        "media_url": f"https://scontent.cdninstagram.com/{media.id}.jpg",
        "permalink": f"https://www.instagram.com/p/{media.id}/",
    }

    def comments(spec: FieldSpec) -> dict[str, Any] | None:
        # The media's comments, newest first, as field expansion gives them: through a
        # mention, paging carries cursors only, no ``next``/``previous`` URLs.
        from connectors.simulator.graph.instagram_render import InstagramRender

        listing = nested_page_request(spec, f"/v21.0/{media.id}/comments", "", 50)
        rendered = InstagramRender(world).comment_list(media, None, spec.children, listing)
        if isinstance(rendered.get("paging"), dict):
            rendered["paging"] = {"cursors": rendered["paging"]["cursors"]}
        return rendered if rendered["data"] else None

    return project("IGMedia", scalars, {"comments": comments}, fields, ["id"])


def _render_comment(comment: IgComment, fields: tuple[FieldSpec, ...] | None) -> dict[str, Any]:
    scalars = {
        "id": comment.id,
        "text": comment.text,
        "timestamp": graph_time(comment.timestamp),
        "username": comment.author.get("username", ""),
        "like_count": 0,
    }
    edges = {"media": lambda spec: project("IGMedia", {"id": comment.media_id}, {},
                                           spec.children, ["id"])}  # fmt: skip
    return project("IGComment", scalars, edges, fields, ["id"])
