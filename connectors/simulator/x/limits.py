"""Per-user, per-endpoint request budgets in 15-minute windows, as X enforces them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

WINDOW_SECONDS = 15 * 60

# Documented user-context limits per 15 minutes (developer.x.com rate-limits page).
DEFAULT_LIMITS: Mapping[str, int] = {
    "GET /2/users/:id/mentions": 300,
    "GET /2/users/:id/tweets": 900,
    "GET /2/dm_events": 300,
    "GET /2/users": 900,
    "GET /2/dm_conversations/with/:participant_id/dm_events": 300,
    "POST /2/tweets": 100,
    "POST /2/dm_conversations/with/:participant_id/messages": 200,
    "PUT /2/tweets/:id/hidden": 50,
}


@dataclass(frozen=True, slots=True)
class Budget:
    limit: int
    remaining: int
    reset: int  # epoch seconds

    @property
    def exhausted(self) -> bool:
        return self.remaining < 0

    def headers(self) -> dict[str, str]:
        return {
            "x-rate-limit-limit": str(self.limit),
            "x-rate-limit-remaining": str(max(self.remaining, 0)),
            "x-rate-limit-reset": str(self.reset),
        }


class RateLimits:
    def __init__(
        self, limits: Mapping[str, int] | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self._limits = {**DEFAULT_LIMITS, **(limits or {})}
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], tuple[int, int]] = {}  # -> (reset, used)

    def spend(self, who: str, endpoint: str) -> Budget:
        """Count one request; ``exhausted`` when it is over the limit (it must then get a 429)."""
        return self._budget(who, endpoint, spend=True)

    def peek(self, who: str, endpoint: str) -> Budget:
        return self._budget(who, endpoint, spend=False)

    def _budget(self, who: str, endpoint: str, *, spend: bool) -> Budget:
        limit = self._limits.get(endpoint, 300)
        now = int(self._clock())
        with self._lock:
            reset, used = self._windows.get((who, endpoint), (0, 0))
            if now >= reset:  # a new window
                reset, used = now + WINDOW_SECONDS, 0
            if spend:
                used += 1
                self._windows[(who, endpoint)] = (reset, used)
        return Budget(limit=limit, remaining=limit - used, reset=reset)
