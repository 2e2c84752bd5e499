"""Django's CommonMiddleware, except that only GET and HEAD are redirected to the URL with a
slash. A redirect would drop a POST's body (under DEBUG Django raises instead: a 500), so
``POST /login`` answers 404 (Svar's error page) rather than losing the form on the way."""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.common import CommonMiddleware

REDIRECTED_METHODS = frozenset({"GET", "HEAD"})


class SlashRedirectMiddleware(CommonMiddleware):
    def should_redirect_with_slash(self, request: HttpRequest) -> bool:
        if request.method not in REDIRECTED_METHODS:
            return False
        return super().should_redirect_with_slash(request)
