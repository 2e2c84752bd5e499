"""Request bodies checked for size, and JSON bodies for nesting depth, before any middleware
or view reads them.

Python's json parser recurses once per nesting level: 2 KB of ``[[[[…`` is a RecursionError
(a 500) wherever JSON is parsed, by DRF, by the login throttle, by the admin's login. No body
of Svar nests deeper than a few levels, so a body is refused with 400 past
``SVAR_JSON_MAX_DEPTH``, found by a scan of its brackets outside strings (no parse); a JSON
body over ``SVAR_JSON_MAX_BYTES``, or any body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, with 413.
Under /api/ in the API's JSON shape, elsewhere with Svar's error page (web/errors.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy

from inbox.stored_text import Text
from web.errors import refused

# A JSON string, escapes included; an unterminated one runs to the end (the match always
# succeeds, so the scan stays linear on hostile input).
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"?', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_ONE_KIND = bytes.maketrans(b"{}", b"[]")
_METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def json_depth_exceeds(body: bytes, max_depth: int) -> bool:
    """Whether the body's brackets, outside strings, nest deeper than ``max_depth``."""
    if body.count(b"[") + body.count(b"{") <= max_depth:
        return False  # most bodies: too few brackets to nest that deep
    brackets = _STRING.sub(b"", body).translate(_ONE_KIND, _NOT_BRACKETS)
    # Each round drops the innermost pairs: brackets nested at most max_depth deep are all
    # gone after max_depth rounds, at C speed.
    left = brackets
    for _ in range(max_depth):
        if b"[]" not in left:
            break
        left = left.replace(b"[]", b"")
    if b"[" not in left:
        return False
    return _walk_exceeds(brackets, max_depth)


def _walk_exceeds(brackets: bytes, max_depth: int) -> bool:
    """Too deep, or not closed (bad JSON, which the parser reports): bracket by bracket."""
    depth = 0
    for byte in brackets:
        depth += 1 if byte == ord("[") else -1
        if depth > max_depth:
            return True
    return False


def _declared_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def _is_json(request: HttpRequest) -> bool:
    return "json" in (request.content_type or "").lower()


# A reply's file (issue #13): the multipart upload route takes files up to
# SVAR_ATTACHMENT_MAX_BYTES, plus room for the multipart framing.
_ATTACHMENT_UPLOAD = re.compile(r"^/api/conversations/\d+/attachments$")
UPLOAD_OVERHEAD = 64 * 1024


def _is_attachment_upload(request: HttpRequest) -> bool:
    content_type = (request.content_type or "").lower()
    return content_type == "multipart/form-data" and bool(_ATTACHMENT_UPLOAD.match(request.path))


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    message = Text(gettext_lazy("The request body may be at most %(limit)s bytes."), limit=limit)
    return refused(request, 413, "too_large", message)


class JsonLimitsMiddleware:
    """Refuses an oversized body, or too deeply nested JSON, before anything reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in _METHODS_WITH_BODY:
            refusal = self.check(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def check(self, request: HttpRequest) -> HttpResponse | None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if _is_attachment_upload(request):  # streamed to a temporary file, never held whole
            limit = settings.SVAR_ATTACHMENT_MAX_BYTES + UPLOAD_OVERHEAD
        if _is_json(request):
            limit = min(limit or settings.SVAR_JSON_MAX_BYTES, settings.SVAR_JSON_MAX_BYTES)
        if limit is not None and _declared_length(request) > limit:
            return _too_large(request, limit)
        if not _is_json(request):
            return None  # forms and uploads: Django's own limits apply as they are read
        body = request.body  # within the limit: read once, and kept for the view
        if len(body) > limit:  # a body sent without its length
            return _too_large(request, limit)
        if json_depth_exceeds(body, settings.SVAR_JSON_MAX_DEPTH):
            message = Text(
                gettext_lazy("The JSON body nests deeper than %(depth)s levels."),
                depth=settings.SVAR_JSON_MAX_DEPTH,
            )
            return refused(request, 400, "json_too_deep", message)
        return None
