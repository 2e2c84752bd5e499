"""A Page's Conversations API budget shared by every worker process, through Redis.

Graph allows 2 Conversations API calls per second per Page, whichever process makes them. A
pacer per process (``client.Pacer``) keeps one process inside that budget, but two workers
polling or answering the same Page could together make four calls in a second (error 32).

``SharedPacer`` keeps the Page's recent calls in one Redis sorted set (member: the call,
score: its start, then its end) and reserves a slot with a Lua script, atomically: at most
``burst`` calls in any ``burst * interval`` seconds, counted from each call's end as the
process pacer does, on Redis's clock (one clock for every process).

If Redis cannot be reached, a call is paced by the process's own pacer instead, so polling
goes on (only the cross-process guarantee is lost meanwhile, and Graph's error 32 is handled
as a rate limit); the next call tries Redis again.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from typing import TYPE_CHECKING

from redis import Redis
from redis.exceptions import RedisError

if TYPE_CHECKING:
    from connectors.facebook.client import Pacer

logger = logging.getLogger(__name__)

# KEYS[1]: the Page's sorted set. ARGV: window (s), burst, member.
# Returns 0 when the slot is taken, else the seconds until one frees up.
_RESERVE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], t, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000) + 1000)
  return '0'
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - t)
"""

# The call has returned: count it from now. Re-added even if pruned meanwhile (a call slower
# than the window still occupies a slot for a whole window after its end).
_DONE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
redis.call('ZADD', KEYS[1], t, ARGV[2])
redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[1]) * 1000) + 1000)
return 1
"""

_WARN_EVERY = 60.0  # seconds between two warnings that Redis is unreachable
_MAX_SLEEP = 1.0  # re-check at least this often (another process's call may end early)


class SharedPacer:
    """The interface of ``client.Pacer`` (``wait()`` before a call, ``done()`` after it),
    shared through Redis under ``key``; ``fallback`` paces while Redis is unreachable."""

    def __init__(
        self, redis: Redis, key: str, interval: float, burst: int, fallback: Pacer
    ) -> None:
        self.redis = redis
        self.key = key
        self.window = burst * interval
        self.burst = burst
        self.fallback = fallback
        self._reserve = redis.register_script(_RESERVE)
        self._done = redis.register_script(_DONE)
        self._calls = itertools.count()
        self._local = threading.local()  # this thread's call: its member, or None (fallback)
        self._warned_at = float("-inf")

    def wait(self) -> None:
        member = f"{os.getpid()}:{threading.get_ident()}:{next(self._calls)}"
        try:
            while True:
                delay = float(self._reserve(keys=[self.key], args=[self.window, self.burst,
                                                                   member]))  # fmt: skip
                if delay <= 0:
                    break
                time.sleep(min(delay, _MAX_SLEEP))
        except RedisError as error:
            self._unreachable(error)
            self._local.member = None
            self.fallback.wait()
            return
        self._local.member = member

    def done(self) -> None:
        member = getattr(self._local, "member", None)
        if member is None:
            self.fallback.done()
            return
        self._local.member = None
        try:
            self._done(keys=[self.key], args=[self.window, member])
        except RedisError as error:
            # The slot stays counted from the call's start and expires with the window.
            self._unreachable(error)

    def _unreachable(self, error: RedisError) -> None:
        now = time.monotonic()
        if now - self._warned_at >= _WARN_EVERY:
            self._warned_at = now
            logger.warning(
                "Redis unreachable for the shared Conversations API pacer (%s): pacing "
                "this process alone until it answers again",
                error,
            )
