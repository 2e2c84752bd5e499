"""The simulated X world in memory: users, tweets, mention timelines and DM events.

Thread-safe (one lock); knows nothing about HTTP. Ids are snowflake-shaped 19-digit strings that
only ever grow, so "newest first" and ``since_id`` behave as on X.
"""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

TWITTER_EPOCH_MS = 1288834974657


@dataclass(frozen=True, slots=True)
class XAccount:
    user_id: str
    username: str
    name: str
    token: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One item in a list (a mention timeline or the DM event list), ordered by ``seq``."""

    seq: int
    ref: str | None = None  # tweet id or DM event id; None for a deliberately malformed item
    raw: dict[str, Any] | None = None  # served as-is (malformed on purpose)


@dataclass(frozen=True, slots=True)
class Page:
    entries: tuple[Entry, ...]
    has_more: bool


@dataclass(slots=True)
class _Timeline:
    entries: list[Entry] = field(default_factory=list)  # ascending seq


class TweetGone(Exception):
    """The tweet is deleted or was never there."""


def dm_conversation_id(a: str, b: str) -> str:
    low, high = sorted((a, b), key=int)
    return f"{low}-{high}"


class XState:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self.lock = threading.RLock()
        self._last_id = 0
        self.accounts: dict[str, XAccount] = {}
        # OAuth 2.0 user-context access tokens (x/oauth.py): token -> (user id, expiry epoch s)
        self.user_tokens: dict[str, tuple[str, float]] = {}
        self.users: dict[str, dict[str, str]] = {}
        self.tweets: dict[str, dict[str, Any]] = {}  # never removed; deleted ones are marked
        self.deleted: set[str] = set()
        self.dm_events: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}  # media_key -> X's media object
        self._mentions: dict[str, _Timeline] = {}
        self._authored: dict[str, _Timeline] = {}
        self._dm_index: dict[str, _Timeline] = {}  # per participant

    # -- ids and time ------------------------------------------------------------------------

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), tz=UTC)

    def next_id(self) -> str:
        with self.lock:
            snowflake = (int(self._clock() * 1000) - TWITTER_EPOCH_MS) << 22
            self._last_id = max(self._last_id + 1, snowflake)
            return str(self._last_id)

    # -- accounts and users ------------------------------------------------------------------

    def add_account(self, user_id: str, username: str, name: str, token: str) -> XAccount:
        with self.lock:
            account = XAccount(user_id=user_id, username=username, name=name, token=token)
            self.accounts[user_id] = account
            self.remember_user({"id": user_id, "username": username, "name": name})
            self._mentions.setdefault(user_id, _Timeline())
            return account

    def account_for_token(self, token: str | None) -> XAccount | None:
        """The account a token acts for: its fixed token, or a live OAuth access token."""
        with self.lock:
            account = next((a for a in self.accounts.values() if a.token == token), None)
            if account is None and token in self.user_tokens:
                user_id, expires_at = self.user_tokens[token or ""]
                if self._clock() < expires_at:
                    account = self.accounts.get(user_id)
            return account

    def grant_token(self, token: str, user_id: str, lifetime_seconds: float) -> None:
        with self.lock:
            self.user_tokens[token] = (user_id, self._clock() + lifetime_seconds)

    def revoke_token(self, token: str) -> bool:
        with self.lock:
            return self.user_tokens.pop(token, None) is not None

    def remember_user(self, user: dict[str, str]) -> None:
        with self.lock:
            self.users[str(user["id"])] = {
                "id": str(user["id"]),
                "username": user["username"],
                "name": user["name"],
            }

    # -- tweets ------------------------------------------------------------------------------

    def create_tweet(
        self,
        author_id: str,
        text: str,
        *,
        in_reply_to_tweet_id: str | None = None,
        conversation_id: str | None = None,
        created_at: datetime | None = None,
        extra_mentions: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """Store a tweet and put it on the timeline of every account it mentions."""
        with self.lock:
            tweet_id = self.next_id()
            tweet: dict[str, Any] = {
                "id": tweet_id,
                "text": html.escape(text, quote=False),  # X v2 serves &amp; &lt; &gt;
                "author_id": author_id,
                "conversation_id": conversation_id or tweet_id,
                "created_at": created_at or self.now(),
                "edit_history_tweet_ids": [tweet_id],
            }
            mentioned = set(extra_mentions) | self._mentioned_accounts(text)
            if in_reply_to_tweet_id is not None:
                parent = self.live_tweet(in_reply_to_tweet_id)
                tweet["conversation_id"] = parent["conversation_id"]
                tweet["in_reply_to_user_id"] = parent["author_id"]
                tweet["referenced_tweets"] = [{"type": "replied_to", "id": parent["id"]}]
                if parent["author_id"] != author_id:
                    mentioned.add(parent["author_id"])
            self.tweets[tweet_id] = tweet
            self._authored.setdefault(author_id, _Timeline()).entries.append(
                Entry(seq=int(tweet_id), ref=tweet_id)
            )
            for account_id in mentioned & set(self.accounts):
                self._mentions[account_id].entries.append(Entry(seq=int(tweet_id), ref=tweet_id))
            return tweet

    def live_tweet(self, tweet_id: str) -> dict[str, Any]:
        with self.lock:
            tweet = self.tweets.get(tweet_id)
            if tweet is None or tweet_id in self.deleted:
                raise TweetGone(tweet_id)
            return tweet

    def delete_tweet(self, tweet_id: str) -> bool:
        with self.lock:
            if tweet_id not in self.tweets or tweet_id in self.deleted:
                return False
            self.deleted.add(tweet_id)
            return True

    def add_raw_mention(self, account_user_id: str, raw: dict[str, Any]) -> Entry:
        with self.lock:
            raw_id = raw.get("id")
            seq = int(raw_id) if isinstance(raw_id, str) and raw_id.isdigit() else 0
            entry = Entry(seq=seq or int(self.next_id()), raw=dict(raw))
            self._last_id = max(self._last_id, entry.seq)
            self._mentions[account_user_id].entries.append(entry)
            return entry

    def authored_by(self, user_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [t for t in self.tweets.values() if t["author_id"] == user_id]

    def _mentioned_accounts(self, text: str) -> set[str]:
        handles = {h.lower() for h in re.findall(r"@(\w{1,15})", text)}
        return {a.user_id for a in self.accounts.values() if a.username.lower() in handles}

    # -- direct messages ---------------------------------------------------------------------

    def create_dm(
        self, sender_id: str, recipient_id: str, text: str, created_at: datetime | None = None
    ) -> dict[str, Any]:
        with self.lock:
            event_id = self.next_id()
            event = {
                "id": event_id,
                "event_type": "MessageCreate",
                "text": text,
                "sender_id": sender_id,
                "dm_conversation_id": dm_conversation_id(sender_id, recipient_id),
                "created_at": created_at or self.now(),
            }
            self.dm_events[event_id] = event
            for participant in {sender_id, recipient_id}:
                timeline = self._dm_index.setdefault(participant, _Timeline())
                timeline.entries.append(Entry(seq=int(event_id), ref=event_id))
            return event

    def dms_sent_by(self, user_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [e for e in self.dm_events.values() if e["sender_id"] == user_id]

    # -- paging ------------------------------------------------------------------------------

    def mentions_page(self, account_user_id: str, **bounds: Any) -> tuple[Page, tuple[Entry, ...]]:
        with self.lock:
            timeline = self._mentions.get(account_user_id, _Timeline())
            live = [e for e in timeline.entries if e.ref is None or e.ref not in self.deleted]
            return _page(live, **bounds)

    def authored_page(
        self, user_id: str, start_time: datetime | None, **bounds: Any
    ) -> tuple[Page, tuple[Entry, ...]]:
        with self.lock:
            entries = [
                e
                for e in self._authored.get(user_id, _Timeline()).entries
                if e.ref not in self.deleted
                and (start_time is None or self.tweets[e.ref or ""]["created_at"] >= start_time)
            ]
            return _page(entries, **bounds)

    def dm_page(
        self, user_id: str, conversation: str | None = None, **bounds: Any
    ) -> tuple[Page, tuple[Entry, ...]]:
        with self.lock:
            entries = [
                e
                for e in self._dm_index.get(user_id, _Timeline()).entries
                if conversation is None
                or self.dm_events[e.ref or ""]["dm_conversation_id"] == conversation
            ]
            return _page(entries, **bounds)


def _page(
    entries: list[Entry],
    *,
    size: int,
    since: int | None = None,
    until: int | None = None,
    before: int | None = None,
    overlap: int = 0,
) -> tuple[Page, tuple[Entry, ...]]:
    """Newest first: entries with since < seq < until, older than ``before`` (the page token).

    Also returns the ``overlap`` entries just newer than ``before``: a DUPLICATE_ITEMS fault
    serves them again at the top of the page, as a shifting offset-based API would.
    """
    ordered = sorted(entries, key=lambda e: e.seq, reverse=True)
    window = [
        e for e in ordered if (since is None or e.seq > since) and (until is None or e.seq < until)
    ]
    rest = [e for e in window if before is None or e.seq < before]
    repeated = [e for e in window if before is not None and e.seq >= before][-overlap:]
    page = rest[:size]
    return Page(entries=tuple(page), has_more=len(rest) > size), tuple(repeated if overlap else ())
