"""Graph's rate limits and usage headers, as the simulator enforces and reports them.

Budgets are reported as percentages in ``X-App-Usage`` and ``X-Business-Use-Case-Usage``
(the latter adds ``estimated_time_to_regain_access``, in minutes). Over a limit Graph answers
error 32 (Page), 4 (app) or 613 (a custom limit such as the Send API's).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque

from connectors.simulator.graph.wire import graph_error
from connectors.simulator.wire import SimResponse

HOURLY_CALL_BUDGET = 4800  # per Page; usage headers report percent of it


class GraphLimits:
    """Sliding one-second windows per limit key, and hourly usage per Page (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._recent: dict[str, deque[float]] = {}
        self._hourly: dict[str, deque[float]] = {}

    def within(self, key: str, per_second: int) -> bool:
        """Count one call under ``key``; False (and not counted) when over ``per_second``."""
        now = time.monotonic()
        with self._lock:
            calls = self._recent.setdefault(key, deque())
            while calls and calls[0] <= now - 1.0:
                calls.popleft()
            if len(calls) >= per_second:
                return False
            calls.append(now)
            return True

    def usage_headers(
        self, page_id: str, percent: int | None = None, regain_minutes: int = 0
    ) -> dict[str, str]:
        used = self._spend(page_id) if percent is None else percent
        app = {"call_count": used, "total_cputime": max(0, used - 1), "total_time": used}
        business = {
            page_id: [{"type": "pages", **app, "estimated_time_to_regain_access": regain_minutes}]
        }
        return {"X-App-Usage": json.dumps(app), "X-Business-Use-Case-Usage": json.dumps(business)}

    def rate_limited(
        self, page_id: str, reset_after_seconds: int, page_scoped: bool
    ) -> SimResponse:
        minutes = math.ceil(reset_after_seconds / 60)
        headers = self.usage_headers(page_id, percent=100, regain_minutes=minutes)
        if page_scoped:
            return graph_error("(#32) Page request limit reached", code=32, headers=headers)
        return graph_error("(#4) Application request limit reached", code=4, headers=headers)

    def send_limited(self, page_id: str) -> SimResponse:
        return graph_error(
            "(#613) Calls to this api have exceeded the rate limit.", code=613,
            headers=self.usage_headers(page_id, percent=100),
        )  # fmt: skip

    def _spend(self, page_id: str) -> int:
        now = time.monotonic()
        with self._lock:
            calls = self._hourly.setdefault(page_id, deque())
            calls.append(now)
            while calls and calls[0] <= now - 3600:
                calls.popleft()
            return min(100, len(calls) * 100 // HOURLY_CALL_BUDGET)
