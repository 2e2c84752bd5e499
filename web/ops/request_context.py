"""Every request gets an id (the proxy's ``X-Request-ID`` or a new one), echoed in the
response and carried, with the client address and the user, by ``inbox.context`` into logs
and the audit log. One access line per request is logged (``web.access``) with all of them,
the status and the duration: uvicorn's own access log knows neither the user nor the id."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from inbox import context

REQUEST_ID_HEADER = "X-Request-ID"
# A request id from the proxy is kept only if it is short and plain (it goes into logs).
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_log = logging.getLogger("web.access")


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _SAFE_ID.match(given) else uuid.uuid4().hex
        started = time.perf_counter()
        with context.bound(request_id=request_id, ip=request.META.get("REMOTE_ADDR") or None):
            response = self.get_response(request)
            _note_user(request)  # DRF authenticates tokens inside the view
            access_log.info(
                "%s %s %s %.1f ms",
                request.method,
                request.path,
                response.status_code,
                (time.perf_counter() - started) * 1000,
                extra={"status": response.status_code, "method": request.method},
            )
        response[REQUEST_ID_HEADER] = request_id
        return response

    def process_view(self, request: HttpRequest, *args: object) -> None:
        _note_user(request)  # sessions are known before the view runs


def _note_user(request: HttpRequest) -> None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context.update(user_id=user.pk)
