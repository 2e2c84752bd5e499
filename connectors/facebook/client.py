"""facebook-sdk wired for workers: one Graph version, a base URL, timeouts, usage, pacing.

facebook-sdk 3.1.0 (2018) only accepts versions 2.8-3.1 in its constructor, so the version is
set afterwards as a plain attribute. Its base URL is a module constant that must never be
patched (process-wide): a URL-rewriting adapter on our own session points requests at the
simulator instead, and gives every request a timeout (the SDK sets none by default).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar
from urllib.parse import parse_qs, urlsplit

import facebook
import requests
from redis import Redis
from requests.adapters import HTTPAdapter

from connectors.errors import PlatformUnavailable, RateLimited
from connectors.facebook.failures import translate
from connectors.facebook.shared_pacing import SharedPacer
from connectors.facebook.usage import UsageMeter

GRAPH_VERSION = "v21.0"
GRAPH_URL = "https://graph.facebook.com"
DEFAULT_TIMEOUT = 10.0
# The Conversations API allows 2 calls/s per Page; keep a little under it (2 per 1.1 s).
CONVERSATIONS_MIN_INTERVAL = 0.55
CONVERSATIONS_BURST = 2

T = TypeVar("T")


class GraphAdapter(HTTPAdapter):
    """Sends ``graph.facebook.com`` requests to ``base_url`` and adds a default timeout."""

    def __init__(self, base_url: str | None, timeout: float) -> None:
        super().__init__(max_retries=0)  # retries belong to the job, which knows the budget
        self.base_url = base_url.rstrip("/") if base_url else None
        self.timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if self.base_url and request.url and request.url.startswith(GRAPH_URL):
            request.url = self.base_url + request.url[len(GRAPH_URL) :]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


class Pacer:
    """At most ``burst`` calls in any ``burst * interval`` seconds (per client).

    Counted from each call's end, not its start: Graph counts a call when it arrives, which is
    before its answer is back but may be long after it was sent (a busy host, a slow network);
    calls spaced from their start could land closer together than allowed (error 32).
    """

    def __init__(self, interval: float, burst: int = 1) -> None:
        self.interval = interval
        self.burst = burst
        self._lock = threading.Lock()
        self._ends: deque[float] = deque([float("-inf")] * burst, maxlen=burst)

    def wait(self) -> None:
        with self._lock:
            delay = self._ends[0] + self.burst * self.interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._ends.append(time.monotonic())  # until done() records the call's end

    def done(self) -> None:
        """The paced call has returned (its request reached Graph before this moment)."""
        with self._lock:
            self._ends[-1] = time.monotonic()


class Pacing(Protocol):
    """What a paced call needs: ``Pacer`` (this process) or ``SharedPacer`` (all of them)."""

    def wait(self) -> None: ...

    def done(self) -> None: ...


_PACERS: dict[tuple[str | None, str], Pacing] = {}
_PACERS_LOCK = threading.Lock()
_SHARED: dict[str, Redis] = {}  # the Redis that pacers share budgets through, if configured
SHARED_KEY_PREFIX = "svar:pace:graph-conversations"
# Short timeouts: an unreachable Redis must not hold a poll up; the process pacer takes over.
REDIS_TIMEOUT = 0.5


def share_pacing_through(redis_url: str | None) -> None:
    """Pace each Page's Conversations API calls together with every other process that uses
    the same Redis (the workers: ``connectors.jobs``). None: each process alone."""
    with _PACERS_LOCK:
        current = next(iter(_SHARED), None)
        if redis_url == current:
            return
        _SHARED.clear()
        if redis_url:
            _SHARED[redis_url] = Redis.from_url(
                redis_url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
            )
        _PACERS.clear()


def conversations_pacer_for(page_id: str, base_url: str | None) -> Pacing:
    """The Page's Conversations API pacer, one per Page in this process: every poll builds a new
    connector, and a backlog's next poll follows at once, inside the same per-second budget.
    Shared with the other processes through Redis when ``share_pacing_through`` named one."""
    with _PACERS_LOCK:
        key = (base_url, page_id)
        if key not in _PACERS:
            local = Pacer(CONVERSATIONS_MIN_INTERVAL, CONVERSATIONS_BURST)
            redis = next(iter(_SHARED.values()), None)
            _PACERS[key] = (
                local
                if redis is None
                else SharedPacer(
                    redis,
                    f"{SHARED_KEY_PREFIX}:{base_url or GRAPH_URL}:{page_id}",
                    CONVERSATIONS_MIN_INTERVAL,
                    CONVERSATIONS_BURST,
                    fallback=local,
                )
            )
        return _PACERS[key]


class GraphClient:
    """The only place that calls facebook-sdk; every failure leaves as a ``ConnectorError``."""

    def __init__(
        self,
        access_token: str,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        page_id: str | None = None,
    ) -> None:
        self.session = requests.Session()
        self.session.mount(GRAPH_URL + "/", GraphAdapter(base_url, timeout))
        self.usage = UsageMeter()
        self.session.hooks["response"].append(self.usage.observe)
        self.graph = facebook.GraphAPI(access_token=access_token, session=self.session)
        self.graph.version = GRAPH_VERSION
        self.graph.timeout = timeout
        self.conversations_pacer = (
            conversations_pacer_for(page_id, base_url)
            if page_id
            else Pacer(CONVERSATIONS_MIN_INTERVAL, CONVERSATIONS_BURST)
        )
        self.blocked_until: datetime | None = None

    def get(self, path: str, pacer: Pacing | None = None, **args: Any) -> dict[str, Any]:
        return self._call(lambda: self.graph.request(f"{GRAPH_VERSION}/{path}", args), pacer)

    def post(self, path: str, **data: Any) -> dict[str, Any]:
        return self._call(
            lambda: self.graph.request(f"{GRAPH_VERSION}/{path}", post_args=data), None
        )

    def post_file(self, path: str, files: dict[str, Any], **data: Any) -> dict[str, Any]:
        """A multipart POST (an upload: ``files`` as requests takes them)."""
        return self._call(
            lambda: self.graph.request(f"{GRAPH_VERSION}/{path}", post_args=data, files=files),
            None,
        )

    def delete(self, path: str) -> dict[str, Any]:
        return self._call(
            lambda: self.graph.request(f"{GRAPH_VERSION}/{path}", method="DELETE"), None
        )

    def pages(
        self, path: str, pacer: Pacing | None = None, **args: Any
    ) -> Iterator[dict[str, Any]]:
        """Each page of a list, following ``paging.next`` as ``get_all_connections`` does."""
        while True:
            page = self.get(path, pacer, **args)
            yield page
            args = next_page_args(page)
            if not args:
                return

    def _call(self, request: Callable[[], T], pacer: Pacing | None) -> T:
        now = datetime.now(UTC)
        if self.blocked_until is not None and now < self.blocked_until:
            # Never call Graph again before the reset it announced (docs/architecture.md §6).
            raise RateLimited(self.blocked_until, "still inside Graph's back-off")
        if pacer is not None:
            pacer.wait()
        self.usage.forget_retry_after()
        try:
            result = request()
        except facebook.GraphAPIError as error:
            failure = translate(error, self.usage.latest)
            if isinstance(failure, RateLimited):
                self.blocked_until = failure.reset_at
            if isinstance(failure, PlatformUnavailable):
                failure.retry_at = self.usage.retry_at
            raise failure from error
        except ValueError as error:  # a truncated or broken JSON body (requests' JSONDecodeError)
            raise self._unavailable(f"Graph sent unreadable JSON: {error}") from error
        except requests.RequestException as error:  # timeouts, refused connections
            raise self._unavailable(f"Graph unreachable: {error!r}") from error
        except KeyError as error:  # facebook-sdk reads headers["content-type"] unguarded
            raise self._unavailable(f"Graph response without {error}") from error
        finally:
            if pacer is not None:
                pacer.done()
        if not isinstance(result, dict):
            raise PlatformUnavailable(f"Graph sent {type(result).__name__}, not an object")
        return result

    def _unavailable(self, detail: str) -> PlatformUnavailable:
        return PlatformUnavailable(detail, retry_at=self.usage.retry_at)


def next_page_args(page: dict[str, Any]) -> dict[str, str] | None:
    """The query of ``paging.next`` minus the token (the SDK adds its own), or None at the end."""
    next_url = (page.get("paging") or {}).get("next")
    if not next_url:
        return None
    args = {k: v[0] for k, v in parse_qs(urlsplit(next_url).query).items()}
    args.pop("access_token", None)
    return args
