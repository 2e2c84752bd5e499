"""Graph's usage headers: how much of the rate budget is spent, and when access returns.

``X-App-Usage`` / ``X-Page-Usage`` carry percentages of the budget; ``X-Business-Use-Case-Usage``
carries per-object lists that add ``estimated_time_to_regain_access`` (minutes). facebook-sdk
drops response headers, so a ``session.hooks["response"]`` hook records them here.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import requests

USAGE_HEADERS = ("x-app-usage", "x-page-usage", "x-business-use-case-usage")
USAGE_METRICS = ("call_count", "total_time", "total_cputime")


@dataclass(frozen=True, slots=True)
class Usage:
    percent: int  # the highest share of any budget already spent, 0-100
    regain_seconds: int  # Graph's estimate of how long until a blocked caller may call again


def parse_usage(headers: Mapping[str, str]) -> Usage | None:
    """Read the usage headers of one response; ``None`` when it carried none we understand."""
    percents: list[int] = []
    regain_minutes = 0
    for name in USAGE_HEADERS:
        value = headers.get(name)
        if not value:
            continue
        try:
            decoded = json.loads(value)
        except ValueError:
            continue
        for entry in _entries(decoded):
            percents.extend(_int(entry.get(metric)) for metric in USAGE_METRICS)
            regain_minutes = max(regain_minutes, _int(entry.get("estimated_time_to_regain_access")))
    if not percents:
        return None
    return Usage(percent=min(100, max(percents)), regain_seconds=regain_minutes * 60)


def _entries(decoded: Any) -> list[dict[str, Any]]:
    if isinstance(decoded, dict) and any(m in decoded for m in USAGE_METRICS):
        return [decoded]  # X-App-Usage / X-Page-Usage: one flat object
    if isinstance(decoded, dict):  # X-Business-Use-Case-Usage: {object-id: [entries]}
        return [e for lst in decoded.values() if isinstance(lst, list) for e in lst
                if isinstance(e, dict)]  # fmt: skip
    return []


def _int(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def retry_after(value: str | None, now: datetime | None = None) -> datetime | None:
    """An HTTP ``Retry-After`` (RFC 9110 §10.2.3: seconds, or an HTTP date) as a moment."""
    if not value:
        return None
    now = now or datetime.now(UTC)
    if value.strip().isdigit():
        return now + timedelta(seconds=int(value.strip()))
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class UsageMeter:
    """Remembers the usage reported by the latest Graph response (a requests response hook)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: Usage | None = None
        self._retry_at: datetime | None = None

    def observe(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        usage = parse_usage(response.headers)
        retry_at = retry_after(response.headers.get("Retry-After"))
        with self._lock:
            self._latest = usage
            self._retry_at = retry_at

    def forget_retry_after(self) -> None:
        """Before a call: a Retry-After belongs to the response that carried it only."""
        with self._lock:
            self._retry_at = None

    @property
    def retry_at(self) -> datetime | None:
        """When the latest response (a 503 or 429) said to come back, if it said."""
        with self._lock:
            return self._retry_at

    @property
    def latest(self) -> Usage | None:
        with self._lock:
            return self._latest
