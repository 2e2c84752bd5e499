"""Fault switches: what the simulator should do wrong, and for how many requests."""

from __future__ import annotations

import threading
from collections.abc import Set
from dataclasses import dataclass
from enum import StrEnum


class FaultKind(StrEnum):
    RATE_LIMIT = "rate_limit"  # 429 (X, with x-rate-limit-reset) / Graph error code 32
    SERVER_ERROR_HTML = "server_error_html"  # 503 with an HTML body
    SLOW = "slow"  # answer after `delay_seconds`
    MALFORMED_JSON = "malformed_json"  # 200 with a truncated JSON body
    EXPIRED_TOKEN = "expired_token"  # X 401 / Graph error 190
    DUPLICATE_ITEMS = "duplicate_items"  # list pages repeat items from the previous page
    # X: list pages come without includes.users (as recorded from the real API for DM pages).
    MISSING_INCLUDES = "missing_includes"
    # OAuth (x/oauth.py, graph/oauth.py): taken only by the authorization and token endpoints.
    CONSENT_DENIED = "consent_denied"  # the consent page answers "access denied" at once
    SHORT_TOKEN = "short_token"  # the next tokens issued expire in `lifetime_seconds`
    MISSING_TASKS = "missing_tasks"  # Graph: Pages listed without the MODERATE/MESSAGING tasks
    DATA_ACCESS_EXPIRING = "data_access_expiring"  # Graph: data access ends in `lifetime_seconds`
    # Outbound media (issue #13), taken only by the upload and post routes that carry media:
    UPLOAD_REJECTED = "upload_rejected"  # an upload refused (X 400, Graph error 100)
    MEDIA_POST_FAILS = "media_post_fails"  # a post with media fails (X 503, Graph code 2)


OAUTH_KINDS = frozenset(
    {
        FaultKind.CONSENT_DENIED,
        FaultKind.SHORT_TOKEN,
        FaultKind.MISSING_TASKS,
        FaultKind.DATA_ACCESS_EXPIRING,
    }
)
MEDIA_KINDS = frozenset({FaultKind.UPLOAD_REJECTED, FaultKind.MEDIA_POST_FAILS})
API_KINDS = frozenset(FaultKind) - OAUTH_KINDS - MEDIA_KINDS  # what any API request may take


@dataclass(slots=True)
class Fault:
    kind: FaultKind
    platform: str = "*"  # "x", "graph" or "*"
    path_prefix: str = ""  # only requests whose path starts with this
    remaining: int | None = None  # None: until cleared
    delay_seconds: float = 0.0
    reset_after_seconds: int = 60  # for RATE_LIMIT
    lifetime_seconds: int = 60  # for SHORT_TOKEN and DATA_ACCESS_EXPIRING
    # For SERVER_ERROR_HTML on Graph: answer 503 with this Retry-After (None: a bare 500).
    retry_after_seconds: int | None = None


class FaultBoard:
    """Thread-safe set of active faults; each request takes at most one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def active(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def take(
        self,
        platform: str,
        path: str,
        kinds: Set[FaultKind] | None = None,
        *,
        explicit_path: bool = False,
    ) -> Fault | None:
        """The first matching fault. ``explicit_path``: only faults that name a path prefix (so
        a fault meant for the API is not spent on an OAuth call)."""
        with self._lock:
            for fault in self._faults:
                if fault.platform not in ("*", platform) or not path.startswith(fault.path_prefix):
                    continue
                if explicit_path and not fault.path_prefix:
                    continue
                if kinds is not None and fault.kind not in kinds:
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                return fault
        return None
