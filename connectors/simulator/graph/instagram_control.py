"""Injecting Instagram traffic into the simulated Graph and inspecting what the account sent:
``GraphApp.instagram`` in Python, ``/_sim/graph/instagram/…`` over HTTP (JSON in, JSON out).

HTTP routes: ``POST accounts`` (``page_id``, ``ig_id``, ``username``, ``name``), ``POST media``
(``ig_id``, ``caption``), ``POST comments`` (``media_id``, ``author`` {id, username}, ``text``,
``parent_id``), ``POST malformed_comments`` (``media_id``, ``raw``), ``POST dms`` (``page_id``,
``igsid``, ``username``, ``text``, ``story``, ``follower``), ``DELETE comments/{id}``,
``DELETE media/{id}``,
``POST mentions`` (``ig_id``, ``username``, ``text``, ``media_id``, ``private``),
``GET accounts/{ig_id}/replies`` (public replies and DMs the account sent).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from connectors.simulator.graph.instagram_render import InstagramRender
from connectors.simulator.graph.wire import graph_time, parse_fields, parse_moment
from connectors.simulator.wire import SimRequest, SimResponse

if TYPE_CHECKING:
    from connectors.simulator.graph.app import GraphApp

CONTROL_PREFIX = "/_sim/graph/instagram/"
COMMENT_FIELDS = "id,text,timestamp,username,from,parent_id"


class InstagramInjector:
    """Instagram traffic for tests, drills and the demo."""

    def __init__(self, app: GraphApp) -> None:
        self.app = app
        self.world = app.world.instagram

    def link_account(self, page_id: str, ig_id: str, username: str, name: str = "") -> dict:
        account = self.world.link_account(page_id, ig_id, username, name or username)
        return {**account.ref, "page_id": page_id}

    def add_media(
        self, ig_id: str, caption: str, timestamp: datetime | str | None = None
    ) -> dict[str, Any]:
        media = self.world.add_media(ig_id, caption, parse_moment(timestamp, self.app.now()))
        return {"id": media.id, "caption": caption, "timestamp": graph_time(media.timestamp)}

    def add_comment(
        self,
        media_id: str,
        author: dict[str, str],
        text: str,
        parent_id: str | None = None,
        timestamp: datetime | str | None = None,
    ) -> dict[str, Any]:
        moment = parse_moment(timestamp, self.app.now())
        comment = self.world.add_comment(media_id, author, text, moment, parent_id)
        self.app.webhooks.instagram_comment(self.world.media[comment.media_id].owner_id, comment)
        with self.app.world.lock:
            return InstagramRender(self.app.world).comment(
                comment, parse_fields(COMMENT_FIELDS), None
            )

    def add_malformed_comment(self, media_id: str, raw: dict[str, Any]) -> dict[str, Any]:
        """A comment rendered exactly as ``raw`` (the parser's rejection path)."""
        try:
            moment = parse_moment(raw.get("timestamp"), self.app.now())
        except (TypeError, ValueError):
            moment = self.app.now()
        self.world.add_comment(media_id, {"id": "", "username": ""}, "", moment, raw=dict(raw))
        return raw

    def mention(
        self,
        ig_id: str,
        username: str,
        text: str,
        *,
        media_id: str | None = None,
        private: bool = False,
        timestamp: datetime | str | None = None,
    ) -> dict[str, Any]:
        """Another user mentions the account: in a comment on ``media_id`` (another user's
        media), or, without it, in the caption of a new media of theirs (``private``: one the
        account cannot read). Instagram's ``mentions`` webhook names the ids only."""
        moment = parse_moment(timestamp, self.app.now())
        comment_id = None
        if media_id is None:
            media = self.world.add_foreign_media(username, text, moment, private=private)
            media_id = media.id
        else:
            author = {"id": f"ext-{username}", "username": username}
            comment_id = self.world.add_comment(media_id, author, text, moment).id
        self.app.webhooks.instagram_mention(ig_id, media_id, comment_id)
        return {"media_id": media_id, **({"comment_id": comment_id} if comment_id else {})}

    def delete_comment(self, comment_id: str) -> None:
        with self.app.world.lock:
            self.world.comments[comment_id].deleted = True

    def delete_media(self, media_id: str) -> None:
        with self.app.world.lock:
            self.world.media[media_id].deleted = True

    def hide_comment(self, comment_id: str, hidden: bool = True) -> None:
        with self.app.world.lock:
            self.world.comments[comment_id].hidden = hidden

    def add_dm(
        self,
        page_id: str,
        igsid: str,
        username: str,
        text: str,
        timestamp: datetime | str | None = None,
        media: dict[str, Any] | None = None,
        follower: bool = True,
    ) -> dict[str, Any]:
        """A customer's DM; ``media`` holds Graph's ``attachments`` and/or ``story``. A
        non-follower's (``follower=False``) lands in the "requests" folder."""
        moment = parse_moment(timestamp, self.app.now())
        conversation, message = self.world.add_dm(
            page_id, igsid, username, text, moment, media, follower
        )
        with self.app.world.lock:
            rendered = InstagramRender(self.app.world).message(
                message, parse_fields("id,message,from,to,created_time")
            )
        return {"conversation_id": conversation.id, **rendered}

    def replies(self, ig_id: str) -> dict[str, list[dict[str, Any]]]:
        """What the account sent: public comment replies, and DMs (private replies included)."""
        with self.app.world.lock:
            account = self.world.accounts[ig_id]
            page = self.app.world.pages[account.page_id]
            return {
                "comments": [dict(c) for c in account.sent_replies],
                "messages": [dict(m) for m in page.sent_messages if m.get("platform")],
            }


def instagram_control(injector: InstagramInjector, request: SimRequest) -> SimResponse:
    route = request.path.removeprefix(CONTROL_PREFIX).strip("/").split("/")
    body = request.json() if request.body else {}
    method = request.method
    if method == "POST" and route == ["accounts"]:
        linked = injector.link_account(
            body["page_id"], body["ig_id"], body["username"], body.get("name", "")
        )
        return SimResponse.json(linked, 201)
    if method == "POST" and route == ["media"]:
        created = injector.add_media(body["ig_id"], body["caption"], body.get("timestamp"))
        return SimResponse.json(created, 201)
    if method == "POST" and route == ["comments"]:
        created = injector.add_comment(
            body["media_id"], body["author"], body["text"], body.get("parent_id"),
            body.get("timestamp"),
        )  # fmt: skip
        return SimResponse.json(created, 201)
    if method == "POST" and route == ["malformed_comments"]:
        return SimResponse.json(injector.add_malformed_comment(body["media_id"], body["raw"]), 201)
    if method == "POST" and route == ["mentions"]:
        created = injector.mention(
            body["ig_id"], body["username"], body["text"], media_id=body.get("media_id"),
            private=bool(body.get("private")), timestamp=body.get("timestamp"),
        )  # fmt: skip
        return SimResponse.json(created, 201)
    if method == "POST" and route == ["dms"]:
        story = body.get("story")
        created = injector.add_dm(
            body["page_id"], body["igsid"], body.get("username", ""), body.get("text", ""),
            body.get("timestamp"), {"story": story} if story else None,
            follower=body.get("follower", True) is not False,
        )  # fmt: skip
        return SimResponse.json(created, 201)
    if method == "DELETE" and len(route) == 2 and route[0] in ("comments", "media"):
        remove = injector.delete_comment if route[0] == "comments" else injector.delete_media
        remove(route[1])
        return SimResponse.json({"ok": True})
    if method == "GET" and len(route) == 3 and route[0] == "accounts" and route[2] == "replies":
        return SimResponse.json(injector.replies(route[1]))
    return SimResponse.json({"error": "unknown instagram control route"}, 404)
