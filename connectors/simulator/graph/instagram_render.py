"""How the simulated Instagram objects look on the wire (Instagram Graph API shapes).

An Instagram user answers ``id`` by default, media ``id``, comments ``id,text,timestamp``. Media
lists come newest first; a media's top-level comments newest first, each comment's ``replies``
oldest first (as Instagram shows them). Comments carry ``from{id,username}``, ``username`` and
``hidden`` (the owner sees its hidden comments, flagged). DM conversations and their messages
render as the Conversations API does for ``platform=instagram``: people have a ``username``,
not a ``name``. Callers hold the world's lock.
"""

from __future__ import annotations

from typing import Any

from connectors.simulator.graph.instagram_world import IgAccount, IgComment, IgMedia
from connectors.simulator.graph.wire import (
    FieldSpec,
    PageRequest,
    graph_time,
    nested_page_request,
    paginate,
    project,
)
from connectors.simulator.graph.world import Conversation, GraphWorld, MessengerMessage, Page

Fields = tuple[FieldSpec, ...] | None


class InstagramRender:
    def __init__(self, world: GraphWorld) -> None:
        self.world = world
        self.ig = world.instagram

    def account(self, account: IgAccount, fields: Fields) -> dict[str, Any]:
        scalars = {
            "id": account.id,
            "username": account.username,
            "name": account.name,
            "ig_id": int(account.id[-10:]),
            "media_count": len([m for m in account.media if not self.ig.media[m].deleted]),
            "followers_count": 1200,
            "profile_picture_url": f"https://scontent.cdninstagram.com/{account.id}.jpg",
        }
        return project("User", scalars, {}, fields, ["id"])

    def media_list(self, account: IgAccount, fields: Fields, listing: PageRequest) -> dict:
        live = [self.ig.media[m] for m in account.media if not self.ig.media[m].deleted]
        live.sort(key=lambda m: (m.timestamp, m.id), reverse=True)
        return paginate([self.media(m, fields, listing) for m in live], listing)

    def media(self, media: IgMedia, fields: Fields, listing: PageRequest | None) -> dict:
        account = self.ig.accounts[media.owner_id]
        scalars = {
            "id": media.id,
            "caption": media.caption,
            "timestamp": graph_time(media.timestamp),
            "media_type": media.media_type,
            "comments_count": len(media.live_comments),
            "like_count": 0,
            "username": account.username,
            "owner": {"id": account.id},
            "permalink": f"https://www.instagram.com/p/{media.id[-11:]}/",
            "media_url": f"https://scontent.cdninstagram.com/{media.id}.jpg",
        }
        token = listing.args.get("access_token", "") if listing else ""
        version = (listing.url_path.split("/")[1] if listing else "v21.0") or "v21.0"

        def comments(spec: FieldSpec) -> dict[str, Any] | None:
            nested = nested_page_request(spec, f"/{version}/{media.id}/comments", token, 50)
            rendered = self.comment_list(media, None, spec.children, nested)
            return rendered if rendered["data"] else None

        return project("IGMedia", scalars, {"comments": comments}, fields, ["id"])

    def comment_list(
        self, media: IgMedia, parent: IgComment | None, fields: Fields, listing: PageRequest
    ) -> dict[str, Any]:
        if parent is None:
            chosen = [c for c in media.live_comments if c.parent_id is None]
            chosen.reverse()  # newest first
        else:
            chosen = [c for c in media.live_comments if c.parent_id == parent.id]
        return paginate([self.comment(c, fields, listing) for c in chosen], listing)

    def comment(self, comment: IgComment, fields: Fields, listing: PageRequest | None) -> dict:
        if comment.raw is not None:
            return dict(comment.raw)
        scalars = {
            "id": comment.id,
            "text": comment.text,
            "timestamp": graph_time(comment.timestamp),
            "username": comment.author["username"],
            "from": dict(comment.author),
            "hidden": comment.hidden,
            "like_count": 0,
            "media": {"id": comment.media_id},
            "parent_id": comment.parent_id,
        }
        token = listing.args.get("access_token", "") if listing else ""

        def replies(spec: FieldSpec) -> dict[str, Any] | None:
            media = self.ig.media[comment.media_id]
            nested = nested_page_request(spec, f"/v21.0/{comment.id}/replies", token, 50)
            rendered = self.comment_list(media, comment, spec.children, nested)
            return rendered if rendered["data"] else None

        return project(
            "IGComment", scalars, {"replies": replies}, fields, ["id", "text", "timestamp"]
        )

    # --- direct messages ----------------------------------------------------------------------

    def conversations(
        self, page: Page, form: dict[str, str], fields: Fields, listing: PageRequest, version: str
    ) -> dict[str, Any]:
        chosen = [c for c in page.ig_conversations.values() if c.messages]
        if form.get("user_id"):
            chosen = [c for c in chosen if c.psid == form["user_id"]]
        else:  # one folder at a time: the inbox unless ``folder=requests`` is asked for
            folder = form.get("folder") or "inbox"
            chosen = [c for c in chosen if c.folder == folder]
        chosen.sort(key=lambda c: (c.updated_time, c.id), reverse=True)
        token = listing.args.get("access_token", "")
        return paginate([self.conversation(c, fields, token, version) for c in chosen], listing)

    def conversation(
        self, conversation: Conversation, fields: Fields, token: str, version: str
    ) -> dict[str, Any]:
        page = self.world.pages[conversation.page_id]
        account = self.ig.account_of(page)
        customer = {"username": conversation.name, "id": conversation.psid}
        scalars = {
            "id": conversation.id,
            "updated_time": graph_time(conversation.updated_time),
            "participants": {"data": [customer, account.ref if account else {}]},
        }

        def messages(spec: FieldSpec) -> dict[str, Any] | None:
            nested = nested_page_request(spec, f"/{version}/{conversation.id}/messages", token)
            rendered = self.messages(conversation, spec.children, nested)
            return rendered if rendered["data"] else None

        return project("Conversation", scalars, {"messages": messages}, fields,
                       ["updated_time", "id"])  # fmt: skip

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
            "from": dict(message.sender),
            "to": {"data": [dict(message.recipient)]},
            **{k: message.media.get(k) for k in ("attachments", "story", "shares")},
            "is_unsupported": False,
        }
        return project("Message", scalars, {}, fields, ["id", "created_time"])
