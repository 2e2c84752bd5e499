"""Every request gets an id (the proxy's ``X-Request-ID`` or a new one), echoed in the
response and carried, with the client address and the user, by ``inbox.context`` into logs
and the audit log."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from inbox import context

REQUEST_ID_HEADER = "X-Request-ID"
# A request id from the proxy is kept only if it is short and plain (it goes into logs).
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _SAFE_ID.match(given) else uuid.uuid4().hex
        with context.bound(request_id=request_id, ip=request.META.get("REMOTE_ADDR") or None):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response

    def process_view(self, request: HttpRequest, *args: object) -> None:
        # Sessions are known here; DRF's token users are added by the API's authentication.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            context.update(user_id=user.pk)
