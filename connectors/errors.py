"""What a connector raises when a platform call fails, by what the caller should do next.

Connectors translate their library's exceptions into these, so jobs decide retry, back-off or
"mark the account unhealthy" without knowing which platform they talk to.
"""

from __future__ import annotations

from datetime import datetime


class ConnectorError(Exception):
    """Base class: every failure a connector reports."""


class RateLimited(ConnectorError):
    """Over a platform budget: call that endpoint again no earlier than ``reset_at``."""

    def __init__(self, reset_at: datetime, detail: str = "") -> None:
        self.reset_at = reset_at
        super().__init__(
            f"rate limited until {reset_at.isoformat()}" + (f": {detail}" if detail else "")
        )


class AuthExpired(ConnectorError):
    """The token is expired or revoked: mark the channel account unhealthy, stop polling."""


class TargetGone(ConnectorError):
    """The item being replied to was deleted or is no longer visible: do not retry."""


class PlatformRejected(ConnectorError):
    """A permanent 4xx (too long, forbidden, invalid): do not retry; show ``reason``."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class PlatformUnavailable(ConnectorError):
    """5xx, timeouts, connection errors or unreadable bodies: transient, retry later (no
    earlier than ``retry_at`` when the platform said when, as an HTTP ``Retry-After``)."""

    def __init__(self, *args: object, retry_at: datetime | None = None) -> None:
        super().__init__(*args)
        self.retry_at = retry_at


class OutcomeUnknown(ConnectorError):
    """An earlier attempt may have posted the reply, and the platform offers no way to check
    (an answer to an Instagram mention in a comment): do not post again. Tell the agent to look
    on the platform first."""


class OutsideMessagingWindow(PlatformRejected):
    """A private reply past the platform's messaging window (Messenger: 7 days with the
    HUMAN_AGENT tag, 24 h without): the customer must write again first. Do not retry."""


class OAuthRefused(ConnectorError):
    """An OAuth step the platform refused: consent denied, a code that is wrong, used or
    expired, a PKCE or redirect mismatch, an unknown client. Start the flow again; ``reason``
    says why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class AlreadyReplied(PlatformRejected):
    """A private reply to a comment that already has one (Graph allows one per comment): after
    an attempt whose outcome is unknown, that attempt's own success."""


class MissingCredentials(ConnectorError):
    """The account has no usable access token (none stored, its variable unset, or the stored
    one unreadable with the configured keys)."""
