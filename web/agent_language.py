"""The agent's own language, when set in the profile, wins over the browser's Accept-Language.
A profile language Svar no longer offers is ignored: the browser's choice (or English) stands.

The same holds for everything a person reads: pages, API answers (signed in by session here, by
token in web/security/token_auth.py) and the WebSocket's error frames (``scope_language``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import trans_real

from inbox.models import Agent


def offered(language: str) -> bool:
    return bool(language) and language in dict(settings.LANGUAGES)


def profile_language(user: Any) -> str:
    """The user's profile language if Svar offers it, else ''."""
    if user is None or not user.is_authenticated:
        return ""
    try:
        language = user.agent.language  # cached on the user for the views
    except Agent.DoesNotExist:
        return ""
    return language if offered(language) else ""


def activate_for(request: Any, user: Any) -> None:
    """Activate ``user``'s profile language for the rest of ``request``, if there is one."""
    language = profile_language(user)
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language


def token_language(request: HttpRequest) -> str:
    """The profile language of an API token's owner, for an answer no DRF view gives (a route
    that does not exist); '' without a valid token."""
    from rest_framework.exceptions import AuthenticationFailed

    from web.security.token_auth import TokenWithAgentAuthentication

    try:
        found = TokenWithAgentAuthentication().authenticate(request)
    except AuthenticationFailed:
        return ""
    return profile_language(found[0]) if found else ""


def scope_language(scope: dict[str, Any], language: str) -> str:
    """A WebSocket's language: the profile's, else the handshake's Accept-Language, else
    English."""
    if offered(language):
        return language
    header = dict(scope.get("headers") or []).get(b"accept-language", b"")
    for code, _quality in trans_real.parse_accept_lang_header(header.decode("latin-1")):
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class AgentLanguageMiddleware:
    """After LocaleMiddleware (which reads the browser) and authentication. API requests
    signed in with a token are handled by the token authentication, inside the view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        activate_for(request, getattr(request, "user", None))
        return self.get_response(request)
