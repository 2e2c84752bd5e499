"""Which ways of signing in are open, for every template (the login and invitation pages)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from web.security.sso import provider


def sign_in_options(request: HttpRequest) -> dict[str, object]:
    return {
        "sso_enabled": provider.sso_enabled(),
        "sso_provider_name": settings.SVAR_OIDC_PROVIDER_NAME,
        "password_login": settings.SVAR_PASSWORD_LOGIN,
    }
