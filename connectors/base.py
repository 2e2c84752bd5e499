"""The Connector protocol and the frozen DTOs that cross the boundary into the inbox.

Connectors are pure: HTTP in, these DTOs out. They never touch the ORM; ``connectors.jobs`` is
the only glue between a connector and ``inbox.services``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class Platform(StrEnum):
    X = "x"
    FACEBOOK = "facebook"  # one Page: its post comments and its Messenger inbox
    EMAIL = "email"  # one mailbox: IMAP in, SMTP out (connectors/email)
    INSTAGRAM = "instagram"  # an Instagram business account linked to a Page: comments, DMs


class ThreadKind(StrEnum):
    PUBLIC = "public"  # X mentions, Facebook comments: everyone can read the reply
    PRIVATE = "private"  # X direct messages, Messenger


@dataclass(frozen=True, slots=True)
class ContactRef:
    """A customer as the platform identifies them."""

    external_id: str
    name: str = ""
    handle: str = ""


class MediaKind(StrEnum):
    PHOTO = "photo"
    VIDEO = "video"
    ANIMATED_GIF = "animated_gif"
    AUDIO = "audio"
    FILE = "file"
    STICKER = "sticker"
    SHARE = "share"  # a shared link or post
    FALLBACK = "fallback"  # something the platform could not render (Messenger's "fallback")


@dataclass(frozen=True, slots=True)
class MediaItem:
    """One attachment as the platform describes it; the file itself is fetched later."""

    kind: MediaKind
    url: str = ""  # where the file (or the shared link) is; platform CDN links expire
    alt_text: str = ""
    mime_hint: str = ""  # what the platform claims; the stored file is judged by its content
    key: str = ""  # the platform's own id of the media (X media_key, Graph attachment id)


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One item read from a platform, already validated."""

    external_id: str
    thread_external_id: str
    kind: ThreadKind
    author: ContactRef
    body: str
    sent_at: datetime
    # Written by the channel account itself (our own reply seen again, or one sent natively).
    from_account: bool = False
    in_reply_to_external_id: str | None = None
    media: tuple[MediaItem, ...] = ()
    # E-mail: the subject, and the Message-IDs the message answers (In-Reply-To, References),
    # which the inbox uses to thread it (inbox/services/email_threading.py).
    subject: str = ""
    references: tuple[str, ...] = ()
    # E-mail: the HTML body, already sanitised (connectors/email/html.py); "" when none.
    html: str = ""


@dataclass(frozen=True, slots=True)
class RejectedItem:
    """An item the platform returned that could not be understood; kept for the operator."""

    reason: str
    raw: str


@dataclass(frozen=True, slots=True)
class DeliveryFailure:
    """The platform reports that a reply it accepted never arrived (an e-mail bounce)."""

    external_id: str  # the reply's id on the platform (an e-mail's Message-ID)
    reason: str


@dataclass(frozen=True, slots=True)
class FetchResult:
    messages: tuple[InboundMessage, ...]
    cursor: Mapping[str, str]
    rejected: tuple[RejectedItem, ...] = ()
    rate_limit_remaining: int | None = None
    rate_limit_reset_at: datetime | None = None
    # The fetch stopped at its page cap with unread items left: poll again at once.
    more_pending: bool = False
    # Permissions the answers show the token lacks (Graph hides fields or items without them).
    missing_permissions: tuple[str, ...] = ()
    delivery_failures: tuple[DeliveryFailure, ...] = ()


@dataclass(frozen=True, slots=True)
class OutboundReply:
    """What the delivery job asks a connector to post."""

    idempotency_key: str
    thread_external_id: str
    kind: ThreadKind
    body: str
    recipient_external_id: str
    in_reply_to_external_id: str | None = None
    persona_name: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SentReply:
    external_id: str
    sent_at: datetime


class Connector(Protocol):
    def fetch(self, cursor: Mapping[str, str]) -> FetchResult: ...

    def send(self, reply: OutboundReply) -> SentReply: ...

    def find_sent(self, reply: OutboundReply, since: datetime) -> SentReply | None:
        """The reply, if an earlier attempt whose outcome is unknown did post it."""
        ...


class ModerationKind(StrEnum):
    HIDE = "hide"
    UNHIDE = "unhide"
    DELETE = "delete"  # Facebook only: X lets an account hide replies, not delete them


@dataclass(frozen=True, slots=True)
class ModerationRequest:
    """What the moderation job asks a connector to do to one public item."""

    kind: ModerationKind
    external_id: str
    # An earlier attempt's outcome is unknown: a delete answered "gone" then means done.
    uncertain: bool = False


class Moderator(Protocol):
    def moderate(self, request: ModerationRequest) -> None:
        """Apply ``request``; setting the same state twice is harmless on every platform.
        Raises ``PlatformRejected`` for a kind the platform does not offer."""
        ...

    def private_reply(
        self,
        comment_external_id: str,
        author_external_id: str,
        text: str,
        since: datetime | None = None,
    ) -> str:
        """Write privately to a public comment's author; the platform's id of the message.
        ``since``: an earlier attempt began then and its outcome is unknown. Raises
        ``AlreadyReplied`` where the platform allows one per comment."""
        ...
