"""The simulated Instagram world: business accounts linked to Pages, their media, comments and
replies, and Instagram DMs (Conversations API with ``platform=instagram``).

Instagram objects live in Graph: an Instagram business account is reached with its Page's
token, its media and comments are Graph nodes (``/{ig-media-id}/comments``), and its DMs are
conversations of the Page with ``platform=instagram``, answered through the Page's Send API.
Ids look like Instagram's: 17-digit numbers for accounts, media and comments, ``aWdf…`` for
conversations and messages. Callers hold the Graph world's lock (``GraphWorld.lock``).
"""

from __future__ import annotations

import base64
import itertools
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from connectors.simulator.graph.world import Conversation, MessengerMessage, Page

if TYPE_CHECKING:
    from connectors.simulator.graph.world import GraphWorld


@dataclass(slots=True)
class IgAccount:
    id: str
    username: str
    name: str
    page_id: str  # the Facebook Page it is linked to (whose token reads it)
    media: list[str] = field(default_factory=list)  # media ids, oldest first
    sent_replies: list[dict[str, Any]] = field(default_factory=list)  # public comment replies

    @property
    def ref(self) -> dict[str, str]:
        return {"id": self.id, "username": self.username}


@dataclass(slots=True)
class IgComment:
    id: str
    media_id: str
    author: dict[str, str]  # {"id", "username"}
    text: str
    timestamp: datetime
    parent_id: str | None = None  # replies are one level deep, under a top-level comment
    hidden: bool = False
    deleted: bool = False
    raw: dict[str, Any] | None = None  # a malformed item: rendered verbatim


@dataclass(slots=True)
class IgMedia:
    id: str
    owner_id: str
    caption: str
    timestamp: datetime
    media_type: str = "IMAGE"
    deleted: bool = False
    owner_username: str = ""  # another user's media (one that mentions an account)
    private: bool = False  # another user's media the accounts cannot read
    comments: list[IgComment] = field(default_factory=list)  # oldest first

    @property
    def live_comments(self) -> list[IgComment]:
        return [c for c in self.comments if not c.deleted]


def _ig_id(prefix: str) -> str:
    """An Instagram messaging id: base64 of ``ig_…`` like Meta's ``aWdf…`` ids."""
    raw = f"ig_{prefix}:{secrets.token_hex(24)}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class InstagramWorld:
    """Instagram's part of the Graph world."""

    def __init__(self, world: GraphWorld) -> None:
        self.world = world
        self.accounts: dict[str, IgAccount] = {}
        self.media: dict[str, IgMedia] = {}
        self.comments: dict[str, IgComment] = {}
        self._numbers = itertools.count(17_850_000_000_000_001)

    def number(self) -> str:
        return str(next(self._numbers))

    def account_of(self, page: Page) -> IgAccount | None:
        return self.accounts.get(page.instagram_id or "")

    def link_account(self, page_id: str, ig_id: str, username: str, name: str) -> IgAccount:
        with self.world.lock:
            page = self.world.pages[page_id]
            account = self.accounts.setdefault(ig_id, IgAccount(ig_id, username, name, page_id))
            account.username, account.name, account.page_id = username, name, page_id
            page.instagram_id = ig_id
            return account

    def add_media(
        self, ig_id: str, caption: str, timestamp: datetime, media_type: str = "IMAGE"
    ) -> IgMedia:
        with self.world.lock:
            account = self.accounts[ig_id]
            media = IgMedia(self.number(), ig_id, caption, timestamp, media_type)
            self.media[media.id] = media
            account.media.append(media.id)
            return media

    def add_foreign_media(
        self, username: str, caption: str, timestamp: datetime, *, private: bool = False
    ) -> IgMedia:
        """Another user's media: its caption or comments may mention an account."""
        with self.world.lock:
            owner = f"ext-{username}"
            media = IgMedia(self.number(), owner, caption, timestamp, owner_username=username,
                            private=private)  # fmt: skip
            self.media[media.id] = media
            return media

    def add_comment(
        self,
        media_id: str,
        author: dict[str, str],
        text: str,
        timestamp: datetime,
        parent_id: str | None = None,
        raw: dict[str, Any] | None = None,
    ) -> IgComment:
        with self.world.lock:
            if parent_id is not None:
                parent = self.comments[parent_id]
                parent_id = parent.parent_id or parent.id  # replies to replies join the top
                media_id = parent.media_id  # a reply lives under its comment's media
            media = self.media[media_id]
            comment = IgComment(
                id=self.number(),
                media_id=media_id,
                author={"id": str(author["id"]), "username": str(author.get("username", ""))},
                text=text,
                timestamp=timestamp,
                parent_id=parent_id,
                raw=raw,
            )
            media.comments.append(comment)
            media.comments.sort(key=lambda c: c.timestamp)
            self.comments[comment.id] = comment
            return comment

    def readable_comment(self, comment_id: str, page: Page) -> IgComment | None:
        """The comment, if the Page's Instagram account may see it (its own media, not deleted)."""
        comment = self.comments.get(comment_id)
        if comment is None or comment.deleted:
            return None
        media = self.media[comment.media_id]
        if media.deleted or media.owner_id != page.instagram_id:
            return None
        return comment

    # --- direct messages ----------------------------------------------------------------------

    def conversation_with(self, page: Page, igsid: str, username: str = "") -> Conversation:
        conversation = page.ig_conversations.get(igsid)
        if conversation is None:
            conversation = Conversation(
                _ig_id("thread"), page.id, igsid, username, platform="instagram"
            )
            page.ig_conversations[igsid] = conversation
            self.world.conversations[conversation.id] = conversation
        return conversation

    def add_dm(
        self,
        page_id: str,
        igsid: str,
        username: str,
        text: str,
        timestamp: datetime,
        media: dict[str, Any] | None = None,
        follower: bool = True,
    ) -> tuple[Conversation, MessengerMessage]:
        """A customer's DM (``media``: ``attachments`` and/or ``story`` as Graph renders them).
        A non-follower's first DM opens a conversation in the "requests" folder."""
        with self.world.lock:
            page = self.world.pages[page_id]
            account = self.account_of(page)
            if account is None:
                raise KeyError(f"Page {page_id} has no Instagram account")
            new = igsid not in page.ig_conversations
            conversation = self.conversation_with(page, igsid, username)
            if new and not follower:
                conversation.folder = "requests"
            conversation.name = username or conversation.name
            customer = {"id": igsid, "username": conversation.name}
            message = self.append(conversation, customer, account.ref, text, timestamp)
            message.media = dict(media or {})
            return conversation, message

    def account_message(
        self, page: Page, conversation: Conversation, text: str, timestamp: datetime
    ) -> MessengerMessage:
        account = self.account_of(page)
        assert account is not None
        customer = {"id": conversation.psid, "username": conversation.name}
        conversation.folder = "inbox"  # answering a request accepts it
        return self.append(conversation, account.ref, customer, text, timestamp)

    def append(
        self,
        conversation: Conversation,
        sender: dict[str, str],
        recipient: dict[str, str],
        text: str,
        timestamp: datetime,
    ) -> MessengerMessage:
        message = MessengerMessage(_ig_id("item"), sender, recipient, text, timestamp)
        conversation.messages.append(message)
        conversation.messages.sort(key=lambda m: m.created_time)
        return message
