"""Login throttling: too many failed logins per account, or per client address, in a sliding
window answer 429 with ``Retry-After`` before a password is even checked.

Failures are counted from Django's ``user_login_failed`` signal (every ``authenticate()`` that
carries a request: the login page, the admin, any token endpoint), in Redis sorted sets shared
by every web process. A success clears the account's count but not the address's, so one
right password does not reopen a guessing run from that address. If Redis is unreachable the
throttle lets logins through (and logs it): an outage must not lock every agent out.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import redis
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import ngettext

from web.errors import error_body

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Limit:
    scope: str  # "account" or "address"
    attempts: int
    window_seconds: int


def _limits() -> tuple[Limit, Limit]:
    window = settings.SVAR_LOGIN_WINDOW_SECONDS
    return (
        Limit("account", settings.SVAR_LOGIN_FAILURES_PER_ACCOUNT, window),
        Limit("address", settings.SVAR_LOGIN_FAILURES_PER_ADDRESS, window),
    )


@lru_cache(maxsize=2)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)


def _redis() -> redis.Redis:
    return _client(settings.REDIS_URL)


def _key(scope: str, value: str) -> str:
    # Hashed: no user-controlled text in key names, and no usernames readable in Redis.
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"{settings.SVAR_REDIS_PREFIX}:login-failures:{scope}:{digest}"


def _subjects(request: HttpRequest, username: str | None) -> dict[str, str]:
    subjects = {"address": request.META.get("REMOTE_ADDR") or "unknown"}
    if username:
        subjects["account"] = username.strip().lower()
    return subjects


def retry_after(request: HttpRequest, username: str | None) -> int | None:
    """Seconds until this login may be tried, or None if it may be tried now."""
    now = time.time()
    waits = []
    try:
        for limit in _limits():
            subject = _subjects(request, username).get(limit.scope)
            if subject is None:
                continue
            key = _key(limit.scope, subject)
            pipe = _redis().pipeline()
            pipe.zremrangebyscore(key, 0, now - limit.window_seconds)
            pipe.zrange(key, 0, -1, withscores=True)
            _, entries = pipe.execute()
            if len(entries) >= limit.attempts:
                # Allowed again once enough of the oldest failures have left the window.
                freed_at = entries[len(entries) - limit.attempts][1] + limit.window_seconds
                waits.append(max(math.ceil(freed_at - now), 1))
    except redis.RedisError:
        logger.warning("login throttle: Redis unreachable, not throttling", exc_info=True)
        return None
    return max(waits) if waits else None


def record_failure(request: HttpRequest, username: str | None) -> None:
    now = time.time()
    try:
        pipe = _redis().pipeline()
        for limit in _limits():
            subject = _subjects(request, username).get(limit.scope)
            if subject is None:
                continue
            key = _key(limit.scope, subject)
            pipe.zadd(key, {f"{now}:{uuid.uuid4().hex[:8]}": now})
            pipe.zremrangebyscore(key, 0, now - limit.window_seconds)
            pipe.expire(key, limit.window_seconds)
        pipe.execute()
    except redis.RedisError:
        logger.warning("login throttle: could not record a failure", exc_info=True)


def clear_account(username: str) -> None:
    try:
        _redis().delete(_key("account", username.strip().lower()))
    except redis.RedisError:
        logger.warning("login throttle: could not clear an account's failures", exc_info=True)


def _on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None,
                     **_: Any) -> None:  # fmt: skip
    if isinstance(request, HttpRequest):
        username = credentials.get("username")
        record_failure(request, username if isinstance(username, str) else None)
        logger.warning(
            "failed login from %s", request.META.get("REMOTE_ADDR"), extra={"event": "login_failed"}
        )


def _on_logged_in(sender: Any, request: Any, user: Any, **_: Any) -> None:
    clear_account(user.get_username())


def connect_signals() -> None:
    user_login_failed.connect(_on_login_failed, dispatch_uid="svar-login-throttle-failed")
    user_logged_in.connect(_on_logged_in, dispatch_uid="svar-login-throttle-success")


def throttled_response(request: HttpRequest, seconds: int) -> HttpResponse:
    minutes = max(math.ceil(seconds / 60), 1)
    message = ngettext(
        "Too many failed login attempts. Try again in %(minutes)d minute.",
        "Too many failed login attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            error_body("throttled", message, {"retry_after": seconds}), status=429
        )
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(seconds)
    return response


class LoginThrottleMiddleware:
    """Refuses a login POST to one of ``settings.SVAR_LOGIN_PATHS`` while its account or
    address is over its limit, before the view checks the password."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.paths = frozenset(settings.SVAR_LOGIN_PATHS)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path_info in self.paths:
            username = request.POST.get("username")
            if username is None and request.content_type == "application/json":
                username = _json_username(request)
            wait = retry_after(request, username)
            if wait is not None:
                return throttled_response(request, wait)
        return self.get_response(request)


def _json_username(request: HttpRequest) -> str | None:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    username = body.get("username") if isinstance(body, dict) else None
    return username if isinstance(username, str) else None
