"""How the simulated Graph objects look on the wire: field projection, nested edges, paging.

Ordering choices the real API leaves loosely documented: feeds list posts by ``updated_time``
(a new comment bumps its post), newest first; conversations by ``updated_time``, newest first;
a conversation's messages newest first; comments oldest first. Callers hold the world's lock.
"""

from __future__ import annotations

from typing import Any

from connectors.simulator.graph.wire import (
    FieldSpec,
    PageRequest,
    graph_time,
    nested_page_request,
    paginate,
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

Fields = tuple[FieldSpec, ...] | None


class GraphRender:
    """Renders ``world``'s records as Graph does for the token and API version asked with."""

    def __init__(self, world: GraphWorld) -> None:
        self.world = world

    def feed(
        self, page: Page, fields: Fields, listing: PageRequest, token: str, version: str
    ) -> dict[str, Any]:
        posts = sorted(page.posts.values(), key=lambda p: (p.updated_time, p.id), reverse=True)
        return paginate([self.post(p, fields, token, version) for p in posts], listing)

    def post(self, post: Post, fields: Fields, token: str, version: str) -> dict[str, Any]:
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
            rendered = self.comment_list(post, None, listing, spec.modifiers, spec.children)
            rendered["data"] = limited(rendered["data"], self.world.limited_tokens.get(token))
            if spec.modifiers.get("summary") == "true":  # the count, even of unreadable ones
                live = [c for c in post.comments if not c.deleted]
                order = spec.modifiers.get("order", "ranked")
                rendered["summary"] = {
                    "order": order,
                    "total_count": len(live),
                    "can_comment": True,
                }
                return rendered
            return rendered if rendered["data"] else None  # Graph omits empty edges

        return project(
            "Post", scalars, {"comments": comments}, fields, ["created_time", "message", "id"]
        )

    def comment_list(
        self,
        post: Post,
        parent: Comment | None,
        listing: PageRequest,
        options: dict[str, str],
        fields: Fields,
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
        return paginate([self.comment(c, fields) for c in chosen], listing)

    def comment(self, comment: Comment, fields: Fields) -> dict[str, Any]:
        if comment.raw is not None:
            return dict(comment.raw)
        parent = self.world.comments.get(comment.parent_id) if comment.parent_id else None
        scalars = {
            "id": comment.id,
            "message": comment.message,
            "created_time": graph_time(comment.created_time),
            "from": dict(comment.author),
            "is_hidden": comment.hidden,
            "parent": self.comment(parent, None) if parent else None,
            "permalink_url": f"https://www.facebook.com/{comment.post_id}?comment_id={comment.id}",
            "attachment": comment.attachment,
        }
        return project("Comment", scalars, {}, fields, ["created_time", "from", "message", "id"])

    def conversations(
        self,
        form: dict[str, str],
        page: Page,
        fields: Fields,
        listing: PageRequest,
        token: str,
        version: str,
    ) -> dict[str, Any]:
        if form.get("platform", "messenger") != "messenger":
            return {"data": []}  # no Instagram inbox in this world
        conversations = [c for c in page.conversations.values() if c.messages]
        if form.get("user_id"):
            conversations = [c for c in conversations if c.psid == form["user_id"]]
        conversations.sort(key=lambda c: (c.updated_time, c.id), reverse=True)
        return paginate(
            [self.conversation(c, fields, token, version) for c in conversations], listing
        )

    def conversation(
        self, conversation: Conversation, fields: Fields, token: str, version: str
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
                    person({"id": conversation.psid, "name": conversation.name}),
                    person(page.ref),
                ]
            },
        }

        def messages(spec: FieldSpec) -> dict[str, Any] | None:
            listing = nested_page_request(spec, f"/{version}/{conversation.id}/messages", token)
            rendered = self.messages(conversation, spec.children, listing)
            return rendered if rendered["data"] else None

        return project(
            "Conversation", scalars, {"messages": messages}, fields, ["link", "updated_time", "id"]
        )

    def messages(
        self, conversation: Conversation, fields: Fields, listing: PageRequest
    ) -> dict[str, Any]:
        newest_first = sorted(conversation.messages, key=lambda m: m.created_time, reverse=True)
        return paginate([self.message(m, fields) for m in newest_first], listing)

    def message(self, message: MessengerMessage, fields: Fields) -> dict[str, Any]:
        scalars = {
            "id": message.id,
            "message": message.text,
            "created_time": graph_time(message.created_time),
            "from": person(message.sender),
            "to": {"data": [person(message.recipient)]},
            **{k: message.media.get(k) for k in ("attachments", "sticker", "shares")},
        }
        return project("Message", scalars, {}, fields, ["id", "created_time"])


def person(ref: dict[str, str]) -> dict[str, str]:
    return {"name": ref["name"], "email": f"{ref['id']}@facebook.com", "id": ref["id"]}


def limited(comments: list[dict[str, Any]], reads: str | None) -> list[dict[str, Any]]:
    """Comments as a limited token sees them (see ``GraphWorld.limited_tokens``)."""
    if reads == "user":
        return []
    if reads == "no_moderate":
        return [{k: v for k, v in c.items() if k not in ("id", "from")} for c in comments]
    return comments
