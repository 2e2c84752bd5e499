"""The OAuth callback URLs Svar gives the platforms.

The platform sends the admin's browser back to this URL, so it must be the address the browser
reached Svar at: built from the request, unless SVAR_PUBLIC_URL says where Svar is public (a
proxy in front may present another host than the one the request names).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from connectors.base import Platform

CALLBACK_ROUTES = {
    Platform.X: "channels-x-callback",
    Platform.FACEBOOK: "channels-facebook-callback",
}


def callback_url(request: HttpRequest, platform: str) -> str:
    path = reverse(CALLBACK_ROUTES[Platform(platform)])
    base = settings.SVAR_OAUTH_CALLBACK_BASE_URL
    return f"{base}{path}" if base else request.build_absolute_uri(path)
