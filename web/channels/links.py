"""The OAuth callback URLs Svar gives the platforms.

The platform sends the admin's browser back to this URL, so it must be the address the browser
reached Svar at: built from the request, unless SVAR_PUBLIC_URL says where Svar is public (a
proxy in front may present another host than the one the request names).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from connectors.base import Platform
from connectors.facebook.oauth import FACEBOOK_DIALOG_BASE_URL
from connectors.twitter.oauth import X_AUTHORIZE_BASE_URL
from web.security.csp import HEADER, policy_for

CALLBACK_ROUTES = {
    Platform.X: "channels-x-callback",
    Platform.FACEBOOK: "channels-facebook-callback",
}


def callback_url(request: HttpRequest, platform: str) -> str:
    path = reverse(CALLBACK_ROUTES[Platform(platform)])
    base = settings.SVAR_OAUTH_CALLBACK_BASE_URL
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def consent_origins() -> list[str]:
    """Where the Connect and Reconnect forms send the browser: each platform's consent page
    (the simulator's when an OAuth base URL points there)."""
    return [
        _origin(settings.SVAR_X_OAUTH_BASE_URL or X_AUTHORIZE_BASE_URL),
        _origin(settings.SVAR_FACEBOOK_OAUTH_BASE_URL or FACEBOOK_DIALOG_BASE_URL),
    ]


def allow_consent_redirects(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Svar's policy, with the consent pages added to ``form-action``: the browser applies it
    to the redirect after a form's POST too, so with ``'self'`` alone it would refuse to follow
    the Connect button to the platform (web/security/csp.py)."""
    origins = " ".join(dict.fromkeys(consent_origins()))
    policy = policy_for(request).replace("form-action 'self'", f"form-action 'self' {origins}")
    response[HEADER] = policy
    return response
