"""One JSON error shape for the whole API: ``{"error": {"code", "message", "details"}}``.

Domain errors map to HTTP statuses here; DRF's own errors are reshaped; nothing a client sends
can produce a 500 page.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions as drf
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from inbox import exceptions as domain

logger = logging.getLogger(__name__)

DOMAIN_STATUS: dict[type[domain.InboxError], int] = {
    domain.NotFound: status.HTTP_404_NOT_FOUND,
    domain.PermissionDenied: status.HTTP_403_FORBIDDEN,
    domain.InvalidInput: status.HTTP_400_BAD_REQUEST,
    domain.InvalidTransition: status.HTTP_409_CONFLICT,
    domain.StaleVersion: status.HTTP_409_CONFLICT,
}


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _domain_status(error: domain.InboxError) -> int:
    for cls in type(error).__mro__:
        if cls in DOMAIN_STATUS:
            return DOMAIN_STATUS[cls]
    return status.HTTP_400_BAD_REQUEST


def _first_message(detail: Any) -> str:
    if isinstance(detail, dict):
        for field, value in detail.items():
            inner = _first_message(value)
            return inner if field == "non_field_errors" else f"{field}: {inner}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, domain.InboxError):
        return Response(error_body(exc.code, exc.message, exc.details), status=_domain_status(exc))
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django's 500 handling (and logging) takes over
    if isinstance(exc, drf.ValidationError):
        body = error_body("invalid", _first_message(exc.detail), {"fields": exc.detail})
    elif isinstance(exc, drf.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        body = error_body(code, _first_message(exc.detail))
    else:
        body = error_body("error", str(exc))
    response.data = body
    return response


def api_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(
        error_body("not_found", f"No API route matches {request.path}."), status=404
    )


def api_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        error_body("server_error", "Something went wrong on our side; it has been logged."),
        status=500,
    )
