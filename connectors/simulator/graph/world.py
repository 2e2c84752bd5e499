"""The simulated Facebook world: Pages, their posts and comments, Messenger conversations.

Plain in-memory records behind one lock; ``render.py`` renders them on the wire. Ids follow
Graph's shapes: posts ``{page}_{n}``, comments ``{post-n}_{n}``, conversations ``t_…``,
messages ``m_…``.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.simulator.graph.uploads import GraphUploads


@dataclass(slots=True)
class Comment:
    id: str
    post_id: str
    author: dict[str, str]  # {"id", "name"}
    message: str
    created_time: datetime
    parent_id: str | None = None  # the top-level comment this one answers
    deleted: bool = False
    hidden: bool = False
    raw: dict[str, Any] | None = None  # a malformed item: rendered verbatim
    attachment: dict[str, Any] | None = None  # Graph's ``attachment`` (photo, sticker, …)


@dataclass(slots=True)
class Post:
    id: str
    page_id: str
    message: str
    created_time: datetime
    comments: list[Comment] = field(default_factory=list)

    @property
    def updated_time(self) -> datetime:
        """Graph bumps a post's updated_time when someone comments on it."""
        times = [c.created_time for c in self.comments if not c.deleted]
        return max([self.created_time, *times])


@dataclass(slots=True)
class MessengerMessage:
    id: str
    sender: dict[str, str]  # {"id", "name"}
    recipient: dict[str, str]
    text: str
    created_time: datetime
    # Graph's media fields of the message: ``attachments``, ``sticker``, ``shares``.
    media: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Conversation:
    id: str
    page_id: str
    psid: str  # the customer: a PSID (Messenger) or an IGSID (Instagram)
    name: str
    messages: list[MessengerMessage] = field(default_factory=list)
    platform: str = "messenger"  # or "instagram" (instagram_world.py)
    folder: str = "inbox"  # Instagram: "requests" for a non-follower's until the account answers

    @property
    def updated_time(self) -> datetime:
        return max(m.created_time for m in self.messages)

    @property
    def customer_last_message_at(self) -> datetime | None:
        times = [m.created_time for m in self.messages if m.sender["id"] == self.psid]
        return max(times, default=None)


@dataclass(slots=True)
class Page:
    id: str
    name: str
    token: str
    posts: dict[str, Post] = field(default_factory=dict)
    conversations: dict[str, Conversation] = field(default_factory=dict)  # by PSID
    personas: dict[str, dict[str, str]] = field(default_factory=dict)  # by persona id
    sent_comments: list[dict[str, Any]] = field(default_factory=list)
    sent_messages: list[dict[str, Any]] = field(default_factory=list)
    instagram_id: str | None = None  # the Instagram business account linked to the Page
    ig_conversations: dict[str, Conversation] = field(default_factory=dict)  # by IGSID

    @property
    def ref(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name}


class GraphWorld:
    """All simulated Graph objects. Callers hold ``lock`` around reads that span objects."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.pages: dict[str, Page] = {}
        self.tokens: dict[str, str] = {}  # token -> page id
        self.expired_tokens: set[str] = set()
        self.token_expiry: dict[str, datetime] = {}  # Page tokens from Facebook Login
        self.revoked_tokens: set[str] = set()  # Page tokens whose consent was revoked
        # Tokens that read less: "user" (a user token: comments counted, none returned),
        # "no_moderate" (a Page token without the MODERATE task: comments lack id and from).
        self.limited_tokens: dict[str, str] = {}
        self.posts: dict[str, Post] = {}
        self.comments: dict[str, Comment] = {}
        self.conversations: dict[str, Conversation] = {}  # by t_ id
        self._numbers = itertools.count(1_000_000_000_000_001)
        self.uploads = GraphUploads()  # photos and Messenger attachments (issue #13)
        from connectors.simulator.graph.instagram_world import InstagramWorld

        self.instagram = InstagramWorld(self)  # accounts linked to Pages, media, comments, DMs

    def number(self) -> str:
        return str(next(self._numbers))

    # --- building the world -----------------------------------------------------------------

    def add_page(self, page_id: str, name: str, token: str) -> Page:
        with self.lock:
            page = self.pages.setdefault(page_id, Page(page_id, name, token))
            page.name, page.token = name, token
            self.tokens[token] = page_id
            return page

    def add_post(self, page_id: str, message: str, created_time: datetime) -> Post:
        with self.lock:
            page = self.pages[page_id]
            post = Post(f"{page_id}_{self.number()}", page_id, message, created_time)
            page.posts[post.id] = self.posts[post.id] = post
            return post

    def add_comment(
        self,
        post_id: str,
        author: dict[str, str],
        message: str,
        created_time: datetime,
        parent_id: str | None = None,
        raw: dict[str, Any] | None = None,
        attachment: dict[str, Any] | None = None,
    ) -> Comment:
        with self.lock:
            post = self.posts[post_id]
            if parent_id is not None:
                parent_id = self.top_level(self.comments[parent_id]).id
            object_number = post_id.split("_", 1)[-1]
            comment = Comment(
                id=f"{object_number}_{self.number()}",
                post_id=post_id,
                author={"id": str(author["id"]), "name": str(author.get("name", ""))},
                message=message,
                created_time=created_time,
                parent_id=parent_id,
                raw=raw,
                attachment=attachment,
            )
            post.comments.append(comment)
            post.comments.sort(key=lambda c: c.created_time)
            self.comments[comment.id] = comment
            return comment

    def top_level(self, comment: Comment) -> Comment:
        """Facebook threads are two levels deep: a reply to a reply joins the top comment."""
        while comment.parent_id is not None:
            comment = self.comments[comment.parent_id]
        return comment

    def add_messenger_message(
        self, page_id: str, psid: str, name: str, text: str, created_time: datetime,
        media: dict[str, Any] | None = None,
    ) -> tuple[Conversation, MessengerMessage]:  # fmt: skip
        with self.lock:
            page = self.pages[page_id]
            conversation = self.conversation_with(page, psid, name)
            conversation.name = name or conversation.name
            customer = {"id": psid, "name": conversation.name}
            message = self._append(conversation, customer, page.ref, text, created_time)
            message.media = dict(media or {})
            return conversation, message

    def conversation_with(self, page: Page, psid: str, name: str = "") -> Conversation:
        conversation = page.conversations.get(psid)
        if conversation is None:
            conversation = Conversation(f"t_{self.number()}", page.id, psid, name)
            page.conversations[psid] = self.conversations[conversation.id] = conversation
        return conversation

    def page_message(
        self, page: Page, conversation: Conversation, text: str, created_time: datetime
    ) -> MessengerMessage:
        customer = {"id": conversation.psid, "name": conversation.name}
        return self._append(conversation, page.ref, customer, text, created_time)

    def _append(
        self,
        conversation: Conversation,
        sender: dict[str, str],
        recipient: dict[str, str],
        text: str,
        created_time: datetime,
    ) -> MessengerMessage:
        message = MessengerMessage(
            id="m_" + secrets.token_urlsafe(48), sender=sender, recipient=recipient, text=text,
            created_time=created_time,
        )  # fmt: skip
        conversation.messages.append(message)
        conversation.messages.sort(key=lambda m: m.created_time)
        return message

    def add_persona(self, page: Page, name: str, picture_url: str) -> dict[str, str]:
        with self.lock:
            persona = {"id": self.number(), "name": name, "profile_picture_url": picture_url}
            page.personas[persona["id"]] = persona
            return persona
