"""Domain errors. Each carries a stable ``code`` and a message meant for the person who acted.

The message is kept as given (a ``gettext_lazy`` id, or an ``inbox.stored_text.Text`` with its
values) and ``message`` translates it into the language active when it is read: the boundary
that shows the error (web/errors.py, the WebSocket consumer) activates the reader's language."""

from __future__ import annotations

from typing import Any


class InboxError(Exception):
    code = "inbox_error"

    def __init__(self, message: Any, **details: Any) -> None:
        super().__init__(message)
        self.text = message
        self.details = details

    @property
    def message(self) -> str:
        return str(self.text)

    def __str__(self) -> str:
        return self.message


class NotFound(InboxError):
    code = "not_found"


class PermissionDenied(InboxError):
    code = "permission_denied"


class InvalidInput(InboxError):
    code = "invalid"


class OAuthFailed(InvalidInput):
    """Connecting an account through OAuth did not succeed (a stale or foreign ``state``,
    consent denied, a refused code): nothing was created; the message says what to do."""

    code = "oauth_failed"


class ReplyTooLong(InvalidInput):
    code = "reply_too_long"


class ReplyEmpty(InvalidInput):
    code = "reply_empty"


class InvalidTransition(InboxError):
    code = "invalid_transition"


class StaleVersion(InboxError):
    """The client acted on an older snapshot than the one stored."""

    code = "stale_version"


class Unavailable(InboxError):
    """Something Svar depends on (e.g. the mail server) did not answer; trying again may work."""

    code = "unavailable"


class GuidelineBlocked(InvalidInput):
    """The team's guidelines forbid this reply; ``details["hits"]`` names each rule and what
    it matched."""

    code = "guideline_blocked"


class AttachmentRejected(InvalidInput):
    """A file a reply cannot carry: its type (judged from its bytes), or the channel's rules
    (kind, count); the message names the rule."""

    code = "attachment_rejected"


class AttachmentTooLarge(AttachmentRejected):
    """Over Svar's upload limit or the channel's limit for the file's kind (HTTP 413)."""

    code = "attachment_too_large"


class AttachmentInUse(InvalidTransition):
    """The attachment already went with another reply; upload it again to send it again."""

    code = "attachment_in_use"
