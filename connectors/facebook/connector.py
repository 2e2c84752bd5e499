"""``FacebookConnector``: one Facebook Page's comments and Messenger inbox (the Connector protocol).

Reading. Graph has no ``since_id``, so the cursor holds two time watermarks,
``{"feed_since": iso, "messenger_since": iso}``. Feeds and conversations come newest first by
``updated_time`` (a new comment bumps its post), so a walk stops at the first post or
conversation older than the watermark. Items at or after the watermark are returned, so the
boundary second is read twice: the inbox dedupes by external id. A first poll looks back
``initial_lookback`` (7 days: Messenger's reply window).

A walk reads at most ``max_pages`` list pages per fetch. A backlog bigger than that is read over
several fetches (``FetchResult.more_pending``): the cursor then also holds ``<stream>_after``,
Graph's paging cursor where the walk stopped (the conversations endpoint has no time-based
paging), and ``<stream>_pending``, the newest time seen since the backlog began, which becomes
the watermark once the walk reaches the old one. Each continuing fetch first re-reads from the
top what was posted or bumped after ``_pending`` (it left the unread part of the list), then
goes on from ``_after``.

Sending. A comment reply goes to ``POST /{top-level-comment}/comments``. A Messenger reply
honours the window: ``RESPONSE`` within 24 h of the customer's last message, ``MESSAGE_TAG`` +
``HUMAN_AGENT`` up to 7 days, beyond that ``OutsideMessagingWindow`` before any platform call.
``OutboundReply.extra`` keys read here:

- ``customer_last_message_at``: ISO time of the customer's last message (else Graph is asked);
- ``persona_id``: a persona the job layer cached from ``ensure_persona`` (preferred);
- ``persona_picture_url``: the agent's photo, to create the persona named ``persona_name``.

Personas are created once per agent and Page: this class only caches them per instance, so
the job layer stores the id ``ensure_persona`` returns and passes it back as ``persona_id``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from connectors.base import (
    FetchResult,
    InboundMessage,
    ModerationKind,
    ModerationRequest,
    OutboundReply,
    Platform,
    RejectedItem,
    SentReply,
    ThreadKind,
)
from connectors.errors import (
    OutsideMessagingWindow,
    PlatformRejected,
    PlatformUnavailable,
    TargetGone,
)
from connectors.facebook.client import DEFAULT_TIMEOUT, GraphClient, Pacing, next_page_args
from connectors.facebook.fields import (
    COMMENT_FIELDS,
    CONVERSATION_FIELDS,
    FEED_FIELDS,
    MESSAGE_FIELDS,
    PAGE_SIZE,
)
from connectors.facebook.parse import (
    MalformedItem,
    comment_message,
    each,
    edge_items,
    messenger_message,
    node_id,
    parse_graph_time,
    reject,
)
from connectors.facebook.permissions import comment_gaps, rejected_gaps
from connectors.facebook.window import send_policy

SUFFIXES = ("since", "after", "pending")  # cursor keys per stream: feed_since, feed_after, …
INITIAL_LOOKBACK = timedelta(days=7)
CLOCK_SKEW = timedelta(minutes=2)  # between our clock and Graph's, when searching for a reply
# The Conversations API allows 2 calls/s per Page: pages of 100 (Graph's cap on list limits)
# read a Messenger backlog four times faster than the default 25.
CONVERSATIONS_PAGE_SIZE = 100
MAX_PAGES = 5  # list pages per stream per fetch; a bigger backlog continues on the next poll


@dataclass(slots=True)
class _Harvest:
    """What one walk collected, and the newest time it saw (the next watermark)."""

    since: datetime
    messages: list[InboundMessage] = field(default_factory=list)
    rejected: list[RejectedItem] = field(default_factory=list)
    newest: datetime | None = None
    missing: set[str] = field(default_factory=set)  # permissions the answers show lacking

    def take(self, messages: list[InboundMessage], rejected: list[RejectedItem]) -> None:
        self.rejected.extend(rejected)
        self.missing |= rejected_gaps(rejected)
        for message in messages:
            if self.newest is None or message.sent_at > self.newest:
                self.newest = message.sent_at
            if message.sent_at >= self.since:
                self.messages.append(message)

    @property
    def watermark(self) -> datetime:
        return max(self.since, self.newest) if self.newest else self.since


@dataclass(frozen=True, slots=True)
class _Listing:
    """A list a fetch walks (the Page's feed or its conversations) and how to read its items."""

    key: str  # the cursor key prefix
    path: str
    args: Mapping[str, str | int]
    edge: str  # the nested edge that holds the messages
    convert: Callable[[str], Callable[[Mapping[str, Any]], InboundMessage]]  # item id -> parser
    pacer: Pacing | None = None


@dataclass(frozen=True, slots=True)
class _Read:
    harvest: _Harvest
    cursor: dict[str, str]
    more_pending: bool


class FacebookConnector:
    platform = Platform.FACEBOOK
    HIDE_PARAM = "is_hidden"  # how a comment is hidden on this platform
    private_reply_path = property(lambda self: f"{self.page_id}/messages")

    def __init__(
        self,
        page_id: str,
        access_token: str,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        persona_picture_url: str | None = None,
        initial_lookback: timedelta = INITIAL_LOOKBACK,
        page_size: int = PAGE_SIZE,
        conversations_page_size: int = CONVERSATIONS_PAGE_SIZE,
        max_pages: int = MAX_PAGES,
    ) -> None:
        self.page_id = page_id
        self.client = GraphClient(access_token, base_url, timeout, page_id=page_id)
        self.persona_picture_url = persona_picture_url
        self.initial_lookback = initial_lookback
        self.page_size = page_size
        self.conversations_page_size = conversations_page_size
        self.max_pages = max_pages
        self._personas: dict[str, str] = {}

    # --- reading ------------------------------------------------------------------------------

    def fetch(self, cursor: Mapping[str, str]) -> FetchResult:
        start = datetime.now(UTC) - self.initial_lookback
        comments = self._read(self._feed(), cursor, start)
        messenger = self._read(self._conversations(), cursor, start)
        usage = self.client.usage.latest
        return FetchResult(
            messages=_unique(comments.harvest.messages + messenger.harvest.messages),
            cursor={**comments.cursor, **messenger.cursor},
            rejected=tuple(comments.harvest.rejected + messenger.harvest.rejected),
            # Graph reports budgets as percentages: "remaining" is the percent left.
            rate_limit_remaining=100 - usage.percent if usage else None,
            rate_limit_reset_at=(
                datetime.now(UTC) + timedelta(seconds=usage.regain_seconds)
                if usage and usage.regain_seconds
                else None
            ),
            more_pending=comments.more_pending or messenger.more_pending,
            missing_permissions=tuple(sorted(comments.harvest.missing | messenger.harvest.missing)),
        )

    def _feed(self) -> _Listing:
        return _Listing(
            key="feed",
            path=f"{self.page_id}/feed",
            args={"fields": FEED_FIELDS, "limit": self.page_size},
            edge="comments",
            convert=lambda _post: partial(comment_message, page_id=self.page_id),
        )

    def _conversations(self) -> _Listing:
        return _Listing(
            key="messenger",
            path=f"{self.page_id}/conversations",
            args={
                "platform": "messenger",
                "fields": CONVERSATION_FIELDS,
                "limit": self.conversations_page_size,
            },  # fmt: skip
            edge="messages",
            convert=lambda thread: partial(
                messenger_message, conversation_id=thread, page_id=self.page_id
            ),
            pacer=self.client.conversations_pacer,
        )

    def _read(self, listing: _Listing, cursor: Mapping[str, str], start: datetime) -> _Read:
        since_key, after_key, pending_key = (f"{listing.key}_{suffix}" for suffix in SUFFIXES)
        harvest = _Harvest(_since(cursor, since_key, start))
        after = cursor.get(after_key)
        pending = _since(cursor, pending_key, harvest.since)
        if after:
            # What was posted or bumped since the backlog began now sits above the unread part.
            self._walk(listing, harvest, floor=pending, after=None, max_pages=None)
            try:
                left_at = self._walk(listing, harvest, harvest.since, after, self.max_pages)
            except PlatformRejected:  # a stale paging cursor: read again from the top
                left_at = self._walk(listing, harvest, harvest.since, None, self.max_pages)
        else:
            left_at = self._walk(listing, harvest, harvest.since, None, self.max_pages)
        newest = max(pending, harvest.watermark)
        if left_at is None:
            return _Read(harvest, {since_key: newest.isoformat()}, more_pending=False)
        cursor = {since_key: harvest.since.isoformat(), after_key: left_at,
                  pending_key: newest.isoformat()}  # fmt: skip
        return _Read(harvest, cursor, more_pending=True)

    def _walk(
        self,
        listing: _Listing,
        harvest: _Harvest,
        floor: datetime,
        after: str | None,
        max_pages: int | None,
    ) -> str | None:
        """Read the list newest first down to ``floor``. Returns None once there, or the paging
        cursor where it stopped after ``max_pages`` pages."""
        args: dict[str, Any] = {**listing.args, **({"after": after} if after else {})}
        pages = 0
        while True:
            page = self.client.get(listing.path, listing.pacer, **args)
            pages += 1
            for item in _data(page):
                try:
                    item_id = node_id(item)
                    updated = parse_graph_time(item.get("updated_time") or item.get("created_time"))
                    first = _edge_page(item, listing.edge)
                except MalformedItem as error:
                    harvest.rejected.append(reject(item, str(error)))
                    continue
                if updated < floor:
                    return None  # newest first: everything after this is older
                harvest.missing |= comment_gaps(item)
                convert = listing.convert(item_id)
                self._follow(first, f"{item_id}/{listing.edge}", convert, harvest, listing.pacer)
            next_args = next_page_args(page)
            if not next_args:
                return None
            if max_pages is not None and pages >= max_pages and next_args.get("after"):
                return next_args["after"]
            args = next_args

    def _follow(
        self,
        page: dict[str, Any],
        path: str,
        convert: Callable[[Mapping[str, Any]], InboundMessage],
        harvest: _Harvest,
        pacer: Pacing | None = None,
    ) -> None:
        """Read a nested edge (newest first) and its further pages while they are still new."""
        while True:
            converted, rejected = each(_data(page), convert)
            harvest.take(converted, rejected)
            args = next_page_args(page)
            if not args or not converted or min(m.sent_at for m in converted) < harvest.since:
                return
            page = self.client.get(path, pacer, **args)

    # --- sending ------------------------------------------------------------------------------

    def send(self, reply: OutboundReply) -> SentReply:
        if reply.kind is ThreadKind.PUBLIC:
            return self._reply_to_comment(reply)
        return self._reply_in_messenger(reply)

    def _reply_to_comment(self, reply: OutboundReply) -> SentReply:
        # The thread is the top-level comment: Facebook nests replies one level deep.
        result = self.client.post(f"{reply.thread_external_id}/comments", message=reply.body)
        return SentReply(external_id=_required(result, "id"), sent_at=datetime.now(UTC))

    def _reply_in_messenger(self, reply: OutboundReply) -> SentReply:
        # Decide the window first: a reply that may not be sent costs no platform call.
        policy = send_policy(self._customer_last_message_at(reply), datetime.now(UTC))
        data = {
            "recipient": _json({"id": reply.recipient_external_id}),
            "messaging_type": policy.messaging_type,
            "message": _json({"text": reply.body}),
        }
        if policy.tag:
            data["tag"] = policy.tag
        persona_id = self._persona_for(reply)
        if persona_id:
            data["persona_id"] = persona_id
        result = self.client.post(f"{self.page_id}/messages", **data)
        return SentReply(external_id=_required(result, "message_id"), sent_at=datetime.now(UTC))

    def _customer_last_message_at(self, reply: OutboundReply) -> datetime:
        known = reply.extra.get("customer_last_message_at")
        if known:
            moment = datetime.fromisoformat(known)
            if moment.tzinfo is None:
                raise ValueError("customer_last_message_at needs a time zone")
            return moment
        # Not given: ask Graph (the newest messages of the conversation come first).
        page = self.client.get(
            f"{reply.thread_external_id}/messages", self.client.conversations_pacer,
            fields="from,created_time", limit=PAGE_SIZE,
        )  # fmt: skip
        for item in _data(page):
            sender = item.get("from") if isinstance(item, Mapping) else None
            if isinstance(sender, Mapping) and str(sender.get("id")) != self.page_id:
                try:
                    return parse_graph_time(item.get("created_time"))
                except MalformedItem:
                    continue
        raise OutsideMessagingWindow("No recent message from the customer in this conversation.")

    # --- a reply whose outcome is unknown -----------------------------------------------------

    def find_sent(self, reply: OutboundReply, since: datetime) -> SentReply | None:
        """The reply, if an earlier attempt (timed out, answer unreadable) did post it.

        Graph has no idempotency keys: a reply is recognised by its thread and its text among
        what the Page itself wrote there since the attempt began (newest first).
        """
        start = since - CLOCK_SKEW
        wanted = reply.body.strip()
        if reply.kind is ThreadKind.PUBLIC:
            path, pacer = f"{reply.thread_external_id}/comments", None
            args = {"fields": COMMENT_FIELDS, "order": "reverse_chronological", "limit": 50}
            convert = partial(comment_message, page_id=self.page_id)
        else:
            path, pacer = f"{reply.thread_external_id}/messages", self.client.conversations_pacer
            args = {"fields": MESSAGE_FIELDS, "limit": PAGE_SIZE}
            convert = partial(
                messenger_message, conversation_id=reply.thread_external_id, page_id=self.page_id
            )
        for page in self.client.pages(path, pacer, **args):
            found, _ = each(_data(page), convert)
            for message in found:
                ours = message.from_account and message.sent_at >= start
                if ours and message.body.strip() == wanted:
                    return SentReply(external_id=message.external_id, sent_at=message.sent_at)
            if not found or min(m.sent_at for m in found) < start:
                return None
        return None

    # --- moderation ---------------------------------------------------------------------------

    def moderate(self, request: ModerationRequest) -> None:
        """Hide or unhide (``POST /{comment} HIDE_PARAM=``) or delete (``DELETE /{comment}``)."""
        try:
            if request.kind is ModerationKind.DELETE:
                self.client.delete(request.external_id)
            else:
                hidden = "true" if request.kind is ModerationKind.HIDE else "false"
                self.client.post(request.external_id, **{self.HIDE_PARAM: hidden})
        except TargetGone:
            if request.kind is ModerationKind.DELETE and request.uncertain:
                return  # our own earlier attempt deleted it
            raise

    def private_reply(
        self,
        comment_external_id: str,
        author_external_id: str,
        text: str,
        since: datetime | None = None,
    ) -> str:
        """Messenger's private reply to a comment (``recipient={"comment_id": …}``). Graph
        allows one per comment: a repeat after an unknown outcome is ``AlreadyReplied``."""
        result = self.client.post(
            self.private_reply_path,
            recipient=_json({"comment_id": comment_external_id}),
            message=_json({"text": text}),
        )
        return _required(result, "message_id")

    # --- personas -----------------------------------------------------------------------------

    def ensure_persona(self, name: str, picture_url: str | None = None) -> str:
        """The id of a Messenger persona showing ``name``; created on first use per instance.

        Store the id (per agent and Page) and pass it back as ``extra["persona_id"]``.
        """
        picture = picture_url or self.persona_picture_url
        if not picture:
            raise PlatformRejected("A Messenger persona needs a profile picture URL.")
        key = f"{name}\n{picture}"
        if key not in self._personas:
            result = self.client.post(
                f"{self.page_id}/personas", name=name, profile_picture_url=picture
            )
            self._personas[key] = _required(result, "id")
        return self._personas[key]

    def _persona_for(self, reply: OutboundReply) -> str | None:
        if reply.extra.get("persona_id"):
            return reply.extra["persona_id"]
        picture = reply.extra.get("persona_picture_url") or self.persona_picture_url
        if reply.persona_name and picture:
            return self.ensure_persona(reply.persona_name, picture)
        return None  # no photo to show: the signature in the body still names the agent


def _since(cursor: Mapping[str, str], key: str, default: datetime) -> datetime:
    value = cursor.get(key)
    return datetime.fromisoformat(value).astimezone(UTC) if value else default


def _data(page: Any) -> list[Any]:
    """A list page's items; a page without a ``data`` list is a broken response."""
    if not isinstance(page, Mapping) or not isinstance(page.get("data"), list):
        raise PlatformUnavailable("Graph sent a list page without data")
    return page["data"]


def _edge_page(node: Mapping[str, Any], edge: str) -> dict[str, Any]:
    """A nested edge as a list page (with its own paging), empty when Graph omitted it."""
    edge_items(node, edge)  # validates the shape
    return node.get(edge) or {"data": []}


def _unique(messages: list[InboundMessage]) -> tuple[InboundMessage, ...]:
    """Graph pages can repeat items (they shift while we read): keep each id once."""
    seen: dict[str, InboundMessage] = {}
    for message in messages:
        seen.setdefault(message.external_id, message)
    return tuple(seen.values())


def _required(result: Mapping[str, Any], key: str) -> str:
    value = result.get(key)
    if not value:
        # Graph accepted the call but did not say what it created: an uncertain outcome.
        raise PlatformUnavailable(f"Graph's answer lacks {key!r}: {dict(result)!r}")
    return str(value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
