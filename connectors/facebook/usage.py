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


class UsageMeter:
    """Remembers the usage reported by the latest Graph response (a requests response hook)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: Usage | None = None

    def observe(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        usage = parse_usage(response.headers)
        with self._lock:
            self._latest = usage

    @property
    def latest(self) -> Usage | None:
        with self._lock:
            return self._latest
