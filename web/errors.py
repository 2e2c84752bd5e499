"""Domain errors to HTTP, in one place, for the API and the pages alike.

The API answers with one JSON shape, ``{"error": {"code", "message", "details"}}``: domain
errors map to statuses here, DRF's own errors are reshaped, and nothing a client sends produces
a 500. Pages answer with Svar's error page (``errors/error.html``): views raise domain errors and
``DomainErrorMiddleware`` renders them; Django's 400/403/404/500 handlers use the same page and
say nothing of the failure's details. A request under ``/api/`` always gets the JSON shape.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions as drf
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from inbox import exceptions as domain
from web.agent_language import token_language
from web.agent_profile import page_check

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
ERROR_TEMPLATE = "errors/error.html"

DOMAIN_STATUS: dict[type[domain.InboxError], int] = {
    domain.NotFound: status.HTTP_404_NOT_FOUND,
    domain.PermissionDenied: status.HTTP_403_FORBIDDEN,
    domain.InvalidInput: status.HTTP_400_BAD_REQUEST,
    domain.InvalidTransition: status.HTTP_409_CONFLICT,
    domain.StaleVersion: status.HTTP_409_CONFLICT,
    domain.Unavailable: status.HTTP_503_SERVICE_UNAVAILABLE,
    domain.AttachmentTooLarge: status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
}
# The page's heading per status, and what it says when there is no domain message to show.
PAGE_TITLES = {
    400: gettext_lazy("This request could not be understood"),
    403: gettext_lazy("You may not see this page"),
    404: gettext_lazy("Page not found"),
    409: gettext_lazy("Someone got there first"),
    413: gettext_lazy("This request is too large"),
    500: gettext_lazy("Something went wrong"),
}
PAGE_MESSAGES = {
    400: gettext_lazy("Check the address or the form and try again."),
    403: gettext_lazy("Your role does not allow this."),
    404: gettext_lazy("There is nothing at this address, or you may not see it."),
    409: gettext_lazy("The conversation changed while you worked on it; reload and try again."),
    413: gettext_lazy("Send less at a time."),
    500: gettext_lazy("It has been logged. Try again in a moment."),
}


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def domain_details(error: domain.InboxError) -> dict[str, Any]:
    """The error's details; a bad field is also named as DRF names one (``fields``), so a
    client reads every validation error the same way."""
    field = error.details.get("field")
    if isinstance(error, domain.InvalidInput) and isinstance(field, str):
        return {"fields": {field: [error.message]}, **error.details}
    return error.details


def domain_status(error: domain.InboxError) -> int:
    for cls in type(error).__mro__:
        if cls in DOMAIN_STATUS:
            return DOMAIN_STATUS[cls]
    return status.HTTP_400_BAD_REQUEST


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


# --- the API -----------------------------------------------------------------------------------


def _first_message(detail: Any) -> str:
    if isinstance(detail, dict):
        for field, value in detail.items():
            inner = _first_message(value)
            return inner if field == "non_field_errors" else f"{field}: {inner}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK's EXCEPTION_HANDLER."""
    if isinstance(exc, domain.InboxError):
        body = error_body(exc.code, exc.message, domain_details(exc))
        return Response(body, status=domain_status(exc))
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


def api_error(code: str, message: str, status_code: int) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status_code)


@csrf_exempt  # it changes nothing: a POST to no route is a 404, not a CSRF failure
def api_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    with translation.override(token_language(request) or translation.get_language()):
        message = gettext("No API route matches %(path)s.") % {"path": request.path}
    return api_error("not_found", message, 404)


# --- pages -------------------------------------------------------------------------------------


def error_page(
    request: HttpRequest | None, status_code: int, message: str | None = None
) -> HttpResponse:
    """Svar's error page. Without a request it renders with no request context: nothing then
    reads the session or the user, so the page still renders while the database is down."""
    context = {
        "status": status_code,
        "title": PAGE_TITLES.get(status_code, PAGE_TITLES[400]),
        "message": message or PAGE_MESSAGES.get(status_code, PAGE_MESSAGES[400]),
    }
    try:
        html = loader.render_to_string(ERROR_TEMPLATE, context, request)
    except Exception:  # the error page must not fail in turn
        logger.exception("The error page could not be rendered")
        html = f"<!doctype html><title>Svar</title><h1>{status_code}</h1>"
    response = HttpResponse(html, status=status_code)
    response.svar_error_page = True  # type: ignore[attr-defined]
    return response


def domain_error_response(request: HttpRequest, error: domain.InboxError) -> HttpResponse:
    """The answer to a domain error a view raised: JSON under /api/, the error page elsewhere."""
    status_code = domain_status(error)
    if is_api(request):
        body = error_body(error.code, error.message, domain_details(error))
        return JsonResponse(body, status=status_code)
    return error_page(request, status_code, error.message)


def _debug_not_found(request: HttpRequest, response: HttpResponse) -> bool:
    """Django's technical 404 page, which DEBUG shows instead of handler404."""
    if response.status_code != 404 or getattr(response, "svar_error_page", False):
        return False
    return response.get("Content-Type", "").startswith("text/html") and not is_api(request)


class DomainErrorMiddleware:
    """Pages raise domain errors; this turns them into responses, so no view catches one only
    to build a response. Before the view it refuses a user without an agent profile."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.DEBUG and _debug_not_found(request, response):
            return error_page(request, 404)  # in development too: Svar's page, not Django's
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        try:
            return page_check(request)  # a redirect to the first-run guide, or None
        except domain.InboxError as error:
            return domain_error_response(request, error)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, domain.InboxError):
            return domain_error_response(request, exception)
        return None


# --- Django's handlers (web/urls.py): no details of the failure reach the page ---------------


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return api_error("bad_request", gettext("The request could not be understood."), 400)
    return error_page(None, 400)  # e.g. a foreign Host header: read nothing more of it


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return api_error("permission_denied", gettext("You may not do this."), 403)
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return api_not_found(request)
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        message = gettext("Something went wrong on our side; it has been logged.")
        return api_error("server_error", message, 500)
    return error_page(None, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: the API's shape, or Svar's 403 page (not Django's)."""
    if is_api(request):
        message = gettext(
            "The CSRF check failed; send the csrftoken cookie's value as X-CSRFToken."
        )
        return api_error("csrf_failed", message, 403)
    return error_page(
        request, 403, gettext_lazy("The form expired; reload the page and try again.")
    )


def refused(request: HttpRequest, status_code: int, code: str, message: Any) -> HttpResponse:
    """A request refused before any view (e.g. by its size): the API's shape under /api/, the
    error page elsewhere, with its usual words, rendered without the request (no session or
    user is read yet)."""
    if is_api(request):
        # Before LocaleMiddleware and the user: in the browser's language.
        with translation.override(translation.get_language_from_request(request)):
            return api_error(code, str(message), status_code)
    return error_page(None, status_code)
