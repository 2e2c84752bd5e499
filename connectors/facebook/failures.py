"""Graph failures translated into ``connectors.errors``, so jobs need not know facebook-sdk.

facebook-sdk raises ``GraphAPIError`` only when the JSON body has ``"error"`` (the HTTP status
is ignored); a non-JSON body becomes ``GraphAPIError("Maintype was not text, image, or
querystring")`` whose ``result`` is that string, and a missing Content-Type a bare KeyError.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from facebook import GraphAPIError

from connectors.errors import (
    AlreadyReplied,
    AuthExpired,
    ConnectorError,
    OutsideMessagingWindow,
    PlatformRejected,
    PlatformUnavailable,
    RateLimited,
    TargetGone,
)
from connectors.facebook.usage import Usage

RATE_LIMIT_CODES = frozenset({4, 17, 32, 613})
TOKEN_CODES = frozenset({102, 190})  # 102: the old "session key invalid"
TRANSIENT_CODES = frozenset({1, 2})  # "unknown error" / "service temporarily unavailable"
MISSING_OBJECT = (100, 33)
NO_MATCHING_USER = (100, 2018001)  # Messenger: the person blocked the Page or left
OUTSIDE_WINDOW = (10, 2018278)
INSTAGRAM_OUTSIDE_WINDOW = (10, 2534022)  # a DM or private reply past Instagram's window
ALREADY_REPLIED = 10900  # a private reply to a comment that already has one
# Without a usage estimate, wait this long: Graph budgets roll over within minutes.
DEFAULT_RATE_LIMIT_BACKOFF = timedelta(seconds=60)


def translate(error: GraphAPIError, usage: Usage | None) -> ConnectorError:
    body = error.result.get("error") if isinstance(error.result, dict) else None
    if not isinstance(body, dict):
        # Not a Graph error object: an HTML maintenance page or another unreadable body.
        return PlatformUnavailable(f"Graph answered with an unreadable body: {error}")
    code, subcode = _int(body.get("code")), _int(body.get("error_subcode"))
    message = str(body.get("message") or error)
    if code in RATE_LIMIT_CODES:
        return RateLimited(rate_limit_reset(usage), f"Graph error {code}: {message}")
    if code in TOKEN_CODES:
        return AuthExpired(f"Graph error {code}/{subcode}: {message}")
    if code == ALREADY_REPLIED:
        return AlreadyReplied(message)
    if (code, subcode) in (OUTSIDE_WINDOW, INSTAGRAM_OUTSIDE_WINDOW):
        return OutsideMessagingWindow(message)
    if (code, subcode) in (MISSING_OBJECT, NO_MATCHING_USER):
        return TargetGone(message)
    if code in TRANSIENT_CODES or body.get("is_transient") is True:
        return PlatformUnavailable(f"Graph error {code}: {message}")
    return PlatformRejected(message)


def rate_limit_reset(usage: Usage | None, now: datetime | None = None) -> datetime:
    now = now or datetime.now(UTC)
    if usage is not None and usage.regain_seconds > 0:
        return now + timedelta(seconds=usage.regain_seconds)
    return now + DEFAULT_RATE_LIMIT_BACKOFF


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
