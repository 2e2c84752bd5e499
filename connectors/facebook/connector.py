"""``FacebookConnector``: one Facebook Page's comments and Messenger inbox (the Connector protocol).

Reading. Graph has no ``since_id``, so the cursor holds two time watermarks,
``{"feed_since": iso, "messenger_since": iso}``. Feeds and conversations come newest first by
``updated_time`` (a new comment bumps its post), so a walk stops at the first post or
conversation older than the watermark. Items at or after the watermark are returned, so the
boundary second is read twice: the inbox dedupes by external id. A first poll looks back
``initial_lookback`` (7 days: Messenger's reply window).

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
    OutboundReply,
    Platform,
    RejectedItem,
    SentReply,
    ThreadKind,
)
from connectors.errors import OutsideMessagingWindow, PlatformRejected, PlatformUnavailable
from connectors.facebook.client import DEFAULT_TIMEOUT, GraphClient, Pacer, next_page_args
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
from connectors.facebook.window import send_policy

FEED_SINCE = "feed_since"
MESSENGER_SINCE = "messenger_since"
INITIAL_LOOKBACK = timedelta(days=7)
CLOCK_SKEW = timedelta(minutes=2)  # between our clock and Graph's, when searching for a reply
PAGE_SIZE = 25
COMMENT_FIELDS = "id,message,from,created_time,parent"
MESSAGE_FIELDS = "id,message,from,created_time"
# filter(stream) brings replies too (Graph's default is top-level comments only).
FEED_FIELDS = (
    "id,message,created_time,updated_time,"
    f"comments.filter(stream).order(reverse_chronological).limit(50){{{COMMENT_FIELDS}}}"
)
CONVERSATION_FIELDS = f"participants,updated_time,messages.limit({PAGE_SIZE}){{{MESSAGE_FIELDS}}}"


@dataclass(slots=True)
class _Harvest:
    """What one walk collected, and the newest time it saw (the next watermark)."""

    since: datetime
    messages: list[InboundMessage] = field(default_factory=list)
    rejected: list[RejectedItem] = field(default_factory=list)
    newest: datetime | None = None

    def take(self, messages: list[InboundMessage], rejected: list[RejectedItem]) -> None:
        self.rejected.extend(rejected)
        for message in messages:
            if self.newest is None or message.sent_at > self.newest:
                self.newest = message.sent_at
            if message.sent_at >= self.since:
                self.messages.append(message)

    @property
    def watermark(self) -> datetime:
        return max(self.since, self.newest) if self.newest else self.since


class FacebookConnector:
    platform = Platform.FACEBOOK

    def __init__(
        self,
        page_id: str,
        access_token: str,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        persona_picture_url: str | None = None,
        initial_lookback: timedelta = INITIAL_LOOKBACK,
    ) -> None:
        self.page_id = page_id
        self.client = GraphClient(access_token, base_url, timeout)
        self.persona_picture_url = persona_picture_url
        self.initial_lookback = initial_lookback
        self._personas: dict[str, str] = {}

    # --- reading ------------------------------------------------------------------------------

    def fetch(self, cursor: Mapping[str, str]) -> FetchResult:
        start = datetime.now(UTC) - self.initial_lookback
        comments = self._read_comments(_since(cursor, FEED_SINCE, start))
        messenger = self._read_messenger(_since(cursor, MESSENGER_SINCE, start))
        usage = self.client.usage.latest
        return FetchResult(
            messages=_unique(comments.messages + messenger.messages),
            cursor={
                FEED_SINCE: comments.watermark.isoformat(),
                MESSENGER_SINCE: messenger.watermark.isoformat(),
            },
            rejected=tuple(comments.rejected + messenger.rejected),
            # Graph reports budgets as percentages: "remaining" is the percent left.
            rate_limit_remaining=100 - usage.percent if usage else None,
            rate_limit_reset_at=(
                datetime.now(UTC) + timedelta(seconds=usage.regain_seconds)
                if usage and usage.regain_seconds
                else None
            ),
        )

    def _read_comments(self, since: datetime) -> _Harvest:
        harvest = _Harvest(since)
        feed = self.client.pages(f"{self.page_id}/feed", fields=FEED_FIELDS, limit=PAGE_SIZE)
        for page in feed:
            for post in _data(page):
                try:
                    post_id = node_id(post)
                    updated = parse_graph_time(post.get("updated_time") or post.get("created_time"))
                    first = _edge_page(post, "comments")
                except MalformedItem as error:
                    harvest.rejected.append(reject(post, str(error)))
                    continue
                if updated < since:
                    return harvest  # newest first: everything after this is older
                convert = partial(comment_message, page_id=self.page_id)
                self._follow(first, f"{post_id}/comments", convert, harvest)
        return harvest

    def _read_messenger(self, since: datetime) -> _Harvest:
        harvest = _Harvest(since)
        pacer = self.client.conversations_pacer
        conversations = self.client.pages(
            f"{self.page_id}/conversations", pacer, platform="messenger",
            fields=CONVERSATION_FIELDS, limit=PAGE_SIZE,
        )  # fmt: skip
        for page in conversations:
            for conversation in _data(page):
                try:
                    thread = node_id(conversation)
                    updated = parse_graph_time(conversation.get("updated_time"))
                    first = _edge_page(conversation, "messages")
                except MalformedItem as error:
                    harvest.rejected.append(reject(conversation, str(error)))
                    continue
                if updated < since:
                    return harvest
                convert = partial(messenger_message, conversation_id=thread, page_id=self.page_id)
                self._follow(first, f"{thread}/messages", convert, harvest, pacer)
        return harvest

    def _follow(
        self,
        page: dict[str, Any],
        path: str,
        convert: Callable[[Mapping[str, Any]], InboundMessage],
        harvest: _Harvest,
        pacer: Pacer | None = None,
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
