"""The X connector: polls mentions and DMs, posts public replies and DMs.

Cursor keys (all optional, all strings):

- ``mentions_since_id``: every mention up to this id has been read.
- ``mentions_until_id`` + ``mentions_pending_newest_id``: a backlog bigger than one fetch is being
  read, newest first; the next fetch continues below ``until`` and, once done, moves
  ``since_id`` to the pending newest id.
- ``dm_newest_id``: every DM event up to this id has been read (``/2/dm_events`` has no
  ``since_id``; pages are read newest first until this id shows up).
- ``dm_resume_token`` + ``dm_pending_newest_id``: the DM backlog equivalent.

The cursor only moves past what was fully read; duplicates are harmless (the inbox dedupes).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import tweepy

from connectors.base import (
    FetchResult,
    InboundMessage,
    ModerationKind,
    ModerationRequest,
    OutboundReply,
    RejectedItem,
    SentReply,
    ThreadKind,
)
from connectors.errors import (
    AuthExpired,
    PlatformRejected,
    PlatformUnavailable,
    RateLimited,
    TargetGone,
)
from connectors.twitter.client import DEFAULT_TIMEOUT, build_client
from connectors.twitter.media import MEDIA_EXPANSION, MEDIA_FIELDS
from connectors.twitter.parse import (
    ParsedPage,
    parse_dm_events,
    parse_mentions,
    sender_ids_without_user,
)

TWEET_FIELDS = ["author_id", "conversation_id", "created_at", "in_reply_to_user_id",
                "referenced_tweets", "attachments"]  # fmt: skip
DM_EVENT_FIELDS = ["id", "text", "event_type", "created_at", "sender_id", "dm_conversation_id",
                   "attachments"]  # fmt: skip
USER_FIELDS = ["username", "name"]
PAGE_SIZE = 100
MAX_PAGES = 5  # per stream per fetch; a bigger backlog continues on the next poll
FALLBACK_RATE_WINDOW = timedelta(minutes=15)  # a 429 without x-rate-limit-reset
CLOCK_SKEW = timedelta(minutes=2)  # our clock against X's, when searching by time
URL = re.compile(r"https?://\S+")

MENTION_KEYS = ("mentions_since_id", "mentions_until_id", "mentions_pending_newest_id")
DM_KEYS = ("dm_newest_id", "dm_resume_token", "dm_pending_newest_id")
GONE_MARKERS = ("deleted or not visible", "resource-not-found")
GONE_CODES = {144, 385}  # v1.1-style codes X still uses for "no such tweet"


@dataclass(frozen=True, slots=True)
class RateInfo:
    remaining: int | None = None
    reset_at: datetime | None = None


@dataclass(slots=True)
class _Stream:
    """What one stream (mentions or DMs) contributed to a fetch."""

    messages: list[InboundMessage] = field(default_factory=list)
    rejected: list[RejectedItem] = field(default_factory=list)
    cursor: dict[str, str] = field(default_factory=dict)
    rate: RateInfo = field(default_factory=RateInfo)
    more_pending: bool = False  # stopped at the page cap with a next page left

    def add(self, page: ParsedPage) -> None:
        self.messages.extend(page.messages)
        self.rejected.extend(page.rejected)


class XConnector:
    def __init__(
        self,
        account_user_id: str,
        access_token: str,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        page_size: int = PAGE_SIZE,
        max_pages: int = MAX_PAGES,
    ) -> None:
        self.account_user_id = account_user_id
        self.client = build_client(access_token, base_url, timeout)
        self.page_size = page_size
        self.max_pages = max_pages

    # -- reading -----------------------------------------------------------------------------

    def fetch(self, cursor: Mapping[str, str]) -> FetchResult:
        mentions = self._read_mentions(cursor)
        dms = self._read_dms(cursor)
        kept = {k: v for k, v in cursor.items() if k not in (*MENTION_KEYS, *DM_KEYS)}
        tightest = min(
            (s.rate for s in (mentions, dms) if s.rate.remaining is not None),
            key=lambda r: r.remaining or 0,
            default=RateInfo(),
        )
        return FetchResult(
            messages=(*mentions.messages, *dms.messages),
            cursor={**kept, **mentions.cursor, **dms.cursor},
            rejected=(*mentions.rejected, *dms.rejected),
            rate_limit_remaining=tightest.remaining,
            rate_limit_reset_at=tightest.reset_at,
            more_pending=mentions.more_pending or dms.more_pending,
        )

    def _read_mentions(self, cursor: Mapping[str, str]) -> _Stream:
        stream = _Stream()
        since = cursor.get("mentions_since_id")
        until = cursor.get("mentions_until_id")
        pending = cursor.get("mentions_pending_newest_id")
        token: str | None = None
        oldest: str | None = until
        for page_number in range(self.max_pages):
            payload, stream.rate = self._call(
                self.client.get_users_mentions,
                self.account_user_id,
                since_id=since,
                until_id=until,
                pagination_token=token,
                max_results=max(5, self.page_size),
                expansions=["author_id", "in_reply_to_user_id", MEDIA_EXPANSION],
                tweet_fields=TWEET_FIELDS,
                user_fields=USER_FIELDS,
                media_fields=MEDIA_FIELDS,
            )
            _raise_on_request_errors(payload)
            stream.add(parse_mentions(payload, self.account_user_id))
            meta = payload.get("meta") or {}
            if page_number == 0 and pending is None:
                pending = meta.get("newest_id")
            oldest = meta.get("oldest_id") or oldest
            token = meta.get("next_token")
            if not token:
                stream.cursor = _only(mentions_since_id=pending or since)
                return stream
        # Stopped at the page cap: remember where the unread part begins.
        stream.cursor = _only(
            mentions_since_id=since, mentions_until_id=oldest, mentions_pending_newest_id=pending
        )
        stream.more_pending = True
        return stream

    def _read_dms(self, cursor: Mapping[str, str]) -> _Stream:
        stream = _Stream()
        known = _as_int(cursor.get("dm_newest_id"))
        token = cursor.get("dm_resume_token")
        pending = cursor.get("dm_pending_newest_id")
        for _ in range(self.max_pages):
            try:
                payload, stream.rate = self._dm_page(token)
            except PlatformRejected:
                if token is None:
                    raise
                # A stale resume token: start again from the newest event (dupes are harmless).
                token, pending = None, None
                payload, stream.rate = self._dm_page(None)
            page = parse_dm_events(payload, self.account_user_id)

            def unread(item_id: int | None) -> bool:
                return known is None or item_id is None or item_id > known

            stream.messages.extend(m for m in page.messages if unread(int(m.external_id)))
            stream.rejected.extend(
                r for r, i in zip(page.rejected, page.rejected_ids, strict=True) if unread(i)
            )
            if pending is None and page.ids:
                pending = str(max(page.ids))
            token = (payload.get("meta") or {}).get("next_token")
            reached_known = known is not None and any(i <= known for i in page.ids)
            if reached_known or not token:
                newest = max(filter(None, (_as_int(pending), known)), default=None)
                stream.cursor = _only(dm_newest_id=str(newest) if newest else None)
                return stream
        stream.cursor = _only(
            dm_newest_id=str(known) if known else None,
            dm_resume_token=token,
            dm_pending_newest_id=pending,
        )
        stream.more_pending = True
        return stream

    def _dm_page(self, token: str | None) -> tuple[dict[str, Any], RateInfo]:
        payload, rate = self._call(
            self.client.get_direct_message_events,
            pagination_token=token,
            max_results=self.page_size,
            event_types=["MessageCreate"],
            dm_event_fields=DM_EVENT_FIELDS,
            expansions=["sender_id", MEDIA_EXPANSION],
            user_fields=USER_FIELDS,
            media_fields=MEDIA_FIELDS,
            user_auth=False,
        )
        return self._with_senders(payload), rate

    def _with_senders(self, payload: dict[str, Any]) -> dict[str, Any]:
        """X may answer DM events without ``includes.users``: the senders it left out are
        looked up by id (``GET /2/users``), so a customer never arrives nameless when X knows
        the name. A failed lookup costs only the names (the ingest keeps known ones)."""
        missing = sender_ids_without_user(payload, self.account_user_id)
        if not missing:
            return payload
        try:
            found, _ = self._call(
                self.client.get_users, ids=sorted(missing)[:100], user_fields=USER_FIELDS,
                user_auth=False,
            )  # fmt: skip
        except (PlatformRejected, PlatformUnavailable, RateLimited):
            return payload
        users = found.get("data") if isinstance(found.get("data"), list) else []
        includes = dict(payload.get("includes") or {})
        includes["users"] = [*(includes.get("users") or []), *users]
        return {**payload, "includes": includes}

    # -- writing -----------------------------------------------------------------------------

    def send(self, reply: OutboundReply) -> SentReply:
        if reply.kind is ThreadKind.PUBLIC:
            target = reply.in_reply_to_external_id or reply.thread_external_id
            payload, _ = self._call(
                self.client.create_tweet,
                text=reply.body,
                in_reply_to_tweet_id=target,
                user_auth=False,
                replying=True,
            )
            external_id = _data_field(payload, "id")
        else:
            payload, _ = self._call(
                self.client.create_direct_message,
                participant_id=reply.recipient_external_id,
                text=reply.body,
                user_auth=False,
            )
            external_id = _data_field(payload, "dm_event_id")
        return SentReply(external_id=external_id, sent_at=datetime.now(UTC))

    def moderate(self, request: ModerationRequest) -> None:
        """Hide or unhide a reply in a conversation the account started (``PUT
        /2/tweets/{id}/hidden``). X offers accounts no way to delete someone else's tweet."""
        if request.kind is ModerationKind.DELETE:
            raise PlatformRejected("X does not let an account delete another person's post.")
        method = (
            self.client.hide_reply
            if request.kind is ModerationKind.HIDE
            else self.client.unhide_reply
        )
        payload, _ = self._call(method, request.external_id, user_auth=False, replying=True)
        data = payload.get("data")
        if not isinstance(data, dict) or not isinstance(data.get("hidden"), bool):
            raise PlatformUnavailable(f"X's answer lacks data.hidden: {payload!r}")

    def private_reply(
        self,
        comment_external_id: str,
        author_external_id: str,
        text: str,
        since: datetime | None = None,
    ) -> str:
        """A DM to the reply's author (X has no private reply tied to a tweet); after an
        unknown outcome, the DM an earlier attempt sent, if there is one."""
        if since is not None:
            dm = OutboundReply(idempotency_key="", thread_external_id="", kind=ThreadKind.PRIVATE,
                               body=text, recipient_external_id=author_external_id)  # fmt: skip
            found = self.find_sent(dm, since)
            if found is not None:
                return found.external_id
        payload, _ = self._call(
            self.client.create_direct_message,
            participant_id=author_external_id,
            text=text,
            user_auth=False,
        )
        return _data_field(payload, "dm_event_id")

    # -- finding a reply whose outcome is unknown ----------------------------------------------

    def find_sent(self, reply: OutboundReply, since: datetime) -> SentReply | None:
        """The reply, if an earlier attempt (timed out, answer unreadable) did post it.

        X has no idempotency keys; a reply is recognised by its target and its text, among
        what the account itself posted since the attempt began.
        """
        start = since - CLOCK_SKEW
        wanted = _comparable(reply.body)
        token: str | None = None
        for _ in range(self.max_pages):
            if reply.kind is ThreadKind.PUBLIC:
                target = reply.in_reply_to_external_id or reply.thread_external_id
                payload, _ = self._call(
                    self.client.get_users_tweets,
                    self.account_user_id,
                    start_time=start,
                    pagination_token=token,
                    max_results=max(5, self.page_size),
                    tweet_fields=TWEET_FIELDS,
                )
                page = parse_mentions(payload, self.account_user_id)
                found = [m for m in page.messages if m.in_reply_to_external_id == target]
            else:
                payload, _ = self._call(
                    self.client.get_direct_message_events,
                    participant_id=reply.recipient_external_id,
                    pagination_token=token,
                    max_results=self.page_size,
                    event_types=["MessageCreate"],
                    dm_event_fields=DM_EVENT_FIELDS,
                    user_auth=False,
                )
                page = parse_dm_events(payload, self.account_user_id)
                found = [m for m in page.messages if m.from_account and m.sent_at >= start]
            for message in found:
                # X ends the text of an item with media with the media's t.co link.
                if _comparable(message.body) in (wanted, f"{wanted} <url>"):
                    return SentReply(external_id=message.external_id, sent_at=message.sent_at)
            token = (payload.get("meta") or {}).get("next_token")
            if not token or (page.messages and min(m.sent_at for m in page.messages) < start):
                return None
        return None

    # -- one HTTP call, errors translated ----------------------------------------------------

    def _call(
        self, method: Callable[..., Any], *args: Any, replying: bool = False, **params: Any
    ) -> tuple[dict[str, Any], RateInfo]:
        params = {k: v for k, v in params.items() if v is not None}
        try:
            response: requests.Response = method(*args, **params)
        except tweepy.TooManyRequests as error:
            raise RateLimited(_reset_at(error.reset_time), _reason(error)) from error
        except tweepy.Unauthorized as error:
            raise AuthExpired(_reason(error)) from error
        except tweepy.TwitterServerError as error:
            raise PlatformUnavailable(_reason(error)) from error
        except tweepy.HTTPException as error:
            if replying and _is_gone(error):
                raise TargetGone(_reason(error)) from error
            raise PlatformRejected(_reason(error)) from error
        except requests.RequestException as error:  # timeouts, refused connections, resets
            raise PlatformUnavailable(f"{type(error).__name__}: {error}") from error
        try:
            payload = response.json()
        except ValueError as error:
            raise PlatformUnavailable(f"unreadable JSON from X: {error}") from error
        if not isinstance(payload, dict):
            raise PlatformUnavailable(f"unexpected JSON from X: {type(payload).__name__}")
        return payload, _rate_info(response)


def _comparable(text: str) -> str:
    """Text as X may echo it back: NFC, links shortened to t.co, surrounding space trimmed."""
    return URL.sub("<url>", unicodedata.normalize("NFC", text)).strip()


def _only(**values: str | None) -> dict[str, str]:
    return {k: v for k, v in values.items() if v}


def _as_int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _reset_at(reset_time: int | None) -> datetime:
    if reset_time is None:
        return datetime.now(UTC) + FALLBACK_RATE_WINDOW
    return datetime.fromtimestamp(reset_time, tz=UTC)


def _rate_info(response: requests.Response) -> RateInfo:
    remaining = response.headers.get("x-rate-limit-remaining", "")
    reset = response.headers.get("x-rate-limit-reset", "")
    return RateInfo(
        remaining=int(remaining) if remaining.isdigit() else None,
        reset_at=datetime.fromtimestamp(int(reset), tz=UTC) if reset.isdigit() else None,
    )


def _reason(error: tweepy.HTTPException) -> str:
    status = getattr(error.response, "status_code", "?")
    messages = "; ".join(str(m) for m in error.api_messages)
    return f"X answered {status}" + (f": {messages}" if messages else "")


def _is_gone(error: tweepy.HTTPException) -> bool:
    if GONE_CODES & set(error.api_codes):
        return True
    text = " ".join(str(m) for m in error.api_messages).lower()
    try:
        problem_type = str(error.response.json().get("type", ""))
    except ValueError:
        problem_type = ""
    return any(marker in text or marker in problem_type for marker in GONE_MARKERS)


def _raise_on_request_errors(payload: Mapping[str, Any]) -> None:
    """A 200 with only ``errors`` (e.g. the account's user id does not exist) is not a page."""
    if "errors" in payload and "data" not in payload and "meta" not in payload:
        details = "; ".join(str(e.get("detail", e)) for e in payload["errors"] if e)
        raise PlatformRejected(f"X answered with errors only: {details}")


def _data_field(payload: Mapping[str, Any], name: str) -> str:
    data = payload.get("data")
    value = data.get(name) if isinstance(data, dict) else None
    if not isinstance(value, str) or not value:
        # Posted or not, we cannot tell: the caller must check before any retry.
        raise PlatformUnavailable(f"X's answer lacks data.{name}: {payload!r}")
    return value
