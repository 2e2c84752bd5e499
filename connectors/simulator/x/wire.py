"""How X API v2 writes things on the wire: field selection, timestamps, page tokens, problems.

Shapes follow X's OpenAPI description (reference/x-api-v2-openapi.json); the tests validate
every body against it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from connectors.simulator.wire import SimResponse

# Always present, whatever tweet.fields asks for (X adds edit_history_tweet_ids by default).
TWEET_DEFAULT_FIELDS = ("id", "text", "edit_history_tweet_ids")
TWEET_OPTIONAL_FIELDS = frozenset(
    {"author_id", "conversation_id", "created_at", "in_reply_to_user_id", "referenced_tweets",
     "attachments"}
)  # fmt: skip
DM_DEFAULT_FIELDS = ("id", "event_type", "text")
DM_OPTIONAL_FIELDS = frozenset({"created_at", "sender_id", "dm_conversation_id", "attachments"})
USER_DEFAULT_FIELDS = ("id", "name", "username")

PROBLEM_JSON = "application/problem+json"


def timestamp(value: datetime) -> str:
    """X's format: UTC with milliseconds, ``2024-01-01T00:00:00.000Z``."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def plain(item: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON-ready copy (timestamps in X's format)."""
    return json.loads(
        json.dumps({k: timestamp(v) if isinstance(v, datetime) else v for k, v in item.items()})
    )


def csv_arg(value: str | None) -> set[str]:
    return {part.strip() for part in (value or "").split(",") if part.strip()}


def select(item: Mapping[str, Any], defaults: Iterable[str], wanted: set[str]) -> dict[str, Any]:
    fields = [*defaults, *sorted(wanted)]
    out: dict[str, Any] = {}
    for name in fields:
        if name in item and name not in out:
            value = item[name]
            out[name] = timestamp(value) if isinstance(value, datetime) else value
    return out


def page_token(seq: int) -> str:
    """Opaque to clients, like X's; encodes where the next page starts."""
    return base64.b32encode(f"p{seq}".encode()).decode().rstrip("=").lower()


def token_seq(token: str) -> int | None:
    try:
        padded = token.upper() + "=" * (-len(token) % 8)
        decoded = base64.b32decode(padded).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return int(decoded[1:]) if decoded.startswith("p") and decoded[1:].isdigit() else None


# -- problems (RFC 7807 bodies, as X API v2 sends them) ---------------------------------------


def problem(status: int, title: str, detail: str, **extra: Any) -> SimResponse:
    body = {"title": title, "detail": detail, "type": "about:blank", "status": status, **extra}
    return SimResponse.json(body, status, {"Content-Type": PROBLEM_JSON})


def unauthorized() -> SimResponse:
    return problem(401, "Unauthorized", "Unauthorized")


def forbidden(detail: str) -> SimResponse:
    return problem(403, "Forbidden", detail)


def too_many_requests() -> SimResponse:
    # The v2 problem body, plus the classic code 88 entry tweepy exposes as ``api_codes``.
    return problem(
        429,
        "Too Many Requests",
        "Too Many Requests",
        errors=[{"code": 88, "message": "Rate limit exceeded"}],
    )


def invalid_request(parameter: str, value: str, message: str) -> SimResponse:
    body = {
        "errors": [{"parameters": {parameter: [value]}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }
    return SimResponse.json(body, 400, {"Content-Type": PROBLEM_JSON})


def not_found_route(path: str) -> SimResponse:
    return problem(404, "Not Found Error", f"No route matches {path}")


def user_not_found(user_id: str) -> dict[str, Any]:
    """A partial error: X answers 200 with ``errors`` when the path's user does not exist."""
    return {
        "value": user_id,
        "detail": f"Could not find user with id: [{user_id}].",
        "title": "Not Found Error",
        "resource_type": "user",
        "parameter": "id",
        "resource_id": user_id,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }


def service_unavailable_html() -> SimResponse:
    body = (
        "<!DOCTYPE html><html><head><title>Over capacity</title></head>"
        "<body><h1>Something is technically wrong.</h1>"
        "<p>Thanks for noticing. We're going to fix it up and have things back to normal soon."
        "</p></body></html>"
    )
    return SimResponse(503, body.encode(), {"Content-Type": "text/html; charset=utf-8"})
