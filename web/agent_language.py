"""The agent's own language, when set in the profile, wins over the browser's Accept-Language.
A profile language Svar no longer offers is ignored: the browser's choice (or English) stands."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from inbox.models import Agent


class AgentLanguageMiddleware:
    """After LocaleMiddleware (which reads the browser) and authentication."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/api/"):
            try:
                language = user.agent.language  # cached on the user for the views
            except Agent.DoesNotExist:
                language = ""
            if language and language in dict(settings.LANGUAGES):
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
