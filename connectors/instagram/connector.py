"""``InstagramConnector``: one Instagram business account, linked to a Facebook Page (the
Connector protocol). The token is the Page's; ``me`` is the Page, the account is ``ig_user_id``.

Reading comments. Instagram does not bump a media when someone comments, so a poll lists the
account's ``MEDIA_WINDOW`` newest media with their ``comments_count`` and reads the comments
(and nested replies) only of media whose count changed since the last poll (the cursor's
``ig_media_counts``, JSON). Comments at or after the ``ig_comments_since`` watermark are
returned; the inbox dedupes the boundary second. A media deleted meanwhile is skipped.

Reading DMs. The Page's Conversations API with ``platform=instagram``, walked exactly as
Messenger (``FacebookConnector``'s walk: newest first, watermark ``instagram_since``, a
backlog over several polls). DMs from non-followers sit in the "requests" folder until the
account answers: the poll walks that folder too (its own watermark, ``instagram_requests_…``),
so they arrive like any other DM.

Sending. A public reply goes to ``POST /{top-level-comment}/replies`` (Instagram refuses
replies to replies and to hidden comments). A DM goes through the Page's Send API honouring
the window (24 h, then 7 days with ``HUMAN_AGENT``; decided before any call). A private reply
to a comment is one DM per comment within 7 days (``recipient={"comment_id": …}``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from connectors.base import (
    FetchResult,
    InboundMessage,
    OutboundReply,
    Platform,
    SentReply,
    ThreadKind,
)
from connectors.errors import TargetGone
from connectors.facebook.client import DEFAULT_TIMEOUT
from connectors.facebook.connector import (
    CLOCK_SKEW,
    FacebookConnector,
    _data,
    _Harvest,
    _json,
    _Listing,
    _required,
    _since,
    _unique,
)
from connectors.facebook.parse import MalformedItem, each, reject
from connectors.facebook.window import send_policy
from connectors.instagram.fields import (
    COMMENT_FIELDS,
    COMMENTS_PAGE_SIZE,
    CONVERSATION_FIELDS,
    MEDIA_FIELDS,
    MEDIA_WINDOW,
    MENTIONED_COMMENT_FIELDS,
    MENTIONED_MEDIA_FIELDS,
    MESSAGE_FIELDS,
    PAGE_SIZE,
    REPLY_FIELDS,
)
from connectors.instagram.mentions import (
    MentionRef,
    answer_check_fields,
    mention_message,
    mention_of_thread,
    own_answer,
)
from connectors.instagram.parse import ig_comment, ig_message, ig_replies

COMMENTS_SINCE = "ig_comments_since"
REQUESTS = "requests"  # the folder non-followers' DMs land in
MEDIA_COUNTS = "ig_media_counts"
INITIAL_LOOKBACK = timedelta(days=7)


class InstagramConnector(FacebookConnector):
    platform = Platform.INSTAGRAM
    HIDE_PARAM = "hide"
    # One DM to a comment's author within 7 days of the comment: a second one is
    # ``AlreadyReplied``, a late one ``OutsideMessagingWindow`` (facebook/failures.py).
    private_reply_path = "me/messages"  # type: ignore[assignment]
    ensure_persona = None  # type: ignore[assignment]  # Instagram shows no personas: the
    # signature in the body names the agent.

    def __init__(
        self,
        ig_user_id: str,
        access_token: str,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        media_window: int = MEDIA_WINDOW,
        **options: Any,
    ) -> None:
        # The pacer is per Instagram account: its Conversations API budget is its own.
        super().__init__(ig_user_id, access_token, base_url, timeout, **options)
        self.media_window = media_window

    @property
    def account_id(self) -> str:
        return self.page_id

    # --- reading ------------------------------------------------------------------------------

    def fetch(self, cursor: Mapping[str, str]) -> FetchResult:
        start = datetime.now(UTC) - self.initial_lookback
        comments, counts = self._read_comments(cursor, start)
        dms = self._read(self._conversations(), cursor, start)
        requests = self._read(self._conversations(REQUESTS), cursor, start)
        return FetchResult(
            messages=_unique(comments.messages + dms.harvest.messages + requests.harvest.messages),
            cursor={
                **dms.cursor,
                **requests.cursor,
                COMMENTS_SINCE: comments.watermark.isoformat(),
                MEDIA_COUNTS: json.dumps(counts, separators=(",", ":")),
            },
            rejected=tuple(comments.rejected + dms.harvest.rejected + requests.harvest.rejected),
            more_pending=dms.more_pending or requests.more_pending,
        )

    def _conversations(self, folder: str | None = None) -> _Listing:
        """The inbox's DM conversations, or with ``folder`` those of that folder (``requests``:
        non-followers' DMs until the account answers)."""
        return _Listing(
            key=f"instagram_{folder}" if folder else "instagram",
            path="me/conversations",
            args={
                "platform": "instagram",
                "fields": CONVERSATION_FIELDS,
                "limit": self.conversations_page_size,
                **({"folder": folder} if folder else {}),
            },  # fmt: skip
            edge="messages",
            convert=lambda thread: partial(
                ig_message, conversation_id=thread, account_id=self.account_id
            ),
            pacer=self.client.conversations_pacer,
        )

    def _read_comments(
        self, cursor: Mapping[str, str], start: datetime
    ) -> tuple[_Harvest, dict[str, int]]:
        harvest = _Harvest(_since(cursor, COMMENTS_SINCE, start))
        known = _counts(cursor.get(MEDIA_COUNTS))
        page = self.client.get(
            f"{self.account_id}/media", fields=MEDIA_FIELDS, limit=self.media_window
        )
        counts: dict[str, int] = {}
        for media in _data(page):
            media_id, count = _media_count(media)
            if media_id is None:
                harvest.rejected.append(reject(media, "media without id or comments_count"))
                continue
            counts[media_id] = count
            if count and known.get(media_id) != count:
                try:
                    self._read_media_comments(media_id, harvest)
                except TargetGone:  # deleted since the list was read
                    counts.pop(media_id)
        return harvest, counts

    def _read_media_comments(self, media_id: str, harvest: _Harvest) -> None:
        convert = partial(ig_comment, account_id=self.account_id)
        pages = self.client.pages(
            f"{media_id}/comments", fields=COMMENT_FIELDS, limit=COMMENTS_PAGE_SIZE
        )
        for read, page in enumerate(pages, start=1):
            items: list[Any] = []
            for item in _data(page):
                items.append(item)
                try:
                    items.extend(ig_replies(item) if isinstance(item, Mapping) else [])
                except MalformedItem as error:
                    harvest.rejected.append(reject(item, str(error)))
            converted, rejected = each(items, convert)
            harvest.take(converted, rejected)
            if read >= self.max_pages:
                return

    # --- sending ------------------------------------------------------------------------------

    def mention(self, ref: MentionRef) -> InboundMessage:
        """The caption or comment a ``mentions`` webhook names; ``TargetGone`` when the account
        cannot read it (a private account's media, or deleted)."""
        if ref.comment_id:
            fields = f"mentioned_comment.comment_id({ref.comment_id}){{{MENTIONED_COMMENT_FIELDS}}}"
        else:
            fields = f"mentioned_media.media_id({ref.media_id}){{{MENTIONED_MEDIA_FIELDS}}}"
        return mention_message(self.client.get(self.account_id, fields=fields), ref,
                               self.account_id)  # fmt: skip

    def send(self, reply: OutboundReply) -> SentReply:
        if (mention := mention_of_thread(reply.thread_external_id)) is not None:
            result = self.client.post(
                f"{self.account_id}/mentions", media_id=mention.media_id, message=reply.body,
                **({"comment_id": mention.comment_id} if mention.comment_id else {}),
            )  # fmt: skip
            return SentReply(external_id=_required(result, "id"), sent_at=datetime.now(UTC))
        if reply.kind is ThreadKind.PUBLIC:
            result = self.client.post(f"{reply.thread_external_id}/replies", message=reply.body)
            return SentReply(external_id=_required(result, "id"), sent_at=datetime.now(UTC))
        policy = send_policy(self._customer_last_message_at(reply), datetime.now(UTC))
        data = {
            "recipient": _json({"id": reply.recipient_external_id}),
            "messaging_type": policy.messaging_type,
            "message": _json({"text": reply.body}),
        }
        if policy.tag:
            data["tag"] = policy.tag
        result = self.client.post("me/messages", **data)
        return SentReply(external_id=_required(result, "message_id"), sent_at=datetime.now(UTC))

    def find_sent(self, reply: OutboundReply, since: datetime) -> SentReply | None:
        """The reply, if an earlier attempt whose outcome is unknown did post it: the account's
        own item in the thread with the same text, written since the attempt began."""
        start = since - CLOCK_SKEW
        if (mention := mention_of_thread(reply.thread_external_id)) is not None:
            # Another user's media: only the caption mention's comments can be read (through
            # the mention); under a comment mention, ``OutcomeUnknown``: never post blindly.
            fields = answer_check_fields(mention)
            return own_answer(self.client.get(self.account_id, fields=fields), reply.body, start)
        if reply.kind is ThreadKind.PUBLIC:
            path, pacer = f"{reply.thread_external_id}/replies", None
            args: dict[str, Any] = {"fields": REPLY_FIELDS, "limit": COMMENTS_PAGE_SIZE}
            convert: Any = partial(ig_comment, account_id=self.account_id)
        else:
            path, pacer = f"{reply.thread_external_id}/messages", self.client.conversations_pacer
            args = {"fields": MESSAGE_FIELDS, "limit": PAGE_SIZE}
            convert = partial(ig_message, conversation_id=reply.thread_external_id,
                              account_id=self.account_id)  # fmt: skip
        for page in self.client.pages(path, pacer, **args):
            found: list[InboundMessage] = each(_data(page), convert)[0]
            for message in found:
                if (
                    message.from_account
                    and message.sent_at >= start
                    and (message.body.strip() == reply.body.strip())
                ):
                    return SentReply(external_id=message.external_id, sent_at=message.sent_at)
        return None


def _counts(value: str | None) -> dict[str, int]:
    try:
        counts = json.loads(value) if value else {}
    except ValueError:
        return {}
    return (
        {str(k): v for k, v in counts.items() if isinstance(v, int)}
        if isinstance(counts, dict)
        else {}
    )


def _media_count(media: Any) -> tuple[str | None, int]:
    if not isinstance(media, Mapping):
        return None, 0
    media_id, count = media.get("id"), media.get("comments_count", 0)
    if not isinstance(media_id, str) or not media_id or not isinstance(count, int):
        return None, 0
    return media_id, count
