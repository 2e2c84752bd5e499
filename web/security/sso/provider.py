"""The identity provider's endpoints, from its discovery document.

mozilla-django-oidc wants each endpoint as a setting. Svar asks for the issuer only and reads
``{issuer}/.well-known/openid-configuration`` the first time a sign-in needs it (not at start:
a web process must start even while the provider is unreachable). An endpoint set explicitly
(``SVAR_OIDC_*_ENDPOINT``) wins over discovery.
"""

from __future__ import annotations

from functools import lru_cache

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DISCOVERY_TIMEOUT_SECONDS = 10
# mozilla-django-oidc's setting name -> the discovery document's field.
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


def sso_enabled() -> bool:
    return bool(settings.SVAR_OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


@lru_cache(maxsize=4)
def _discovery(issuer: str) -> dict[str, object]:
    response = requests.get(
        f"{issuer}/.well-known/openid-configuration", timeout=DISCOVERY_TIMEOUT_SECONDS
    )
    response.raise_for_status()
    document = response.json()
    if document.get("issuer") != issuer:
        # OpenID Connect Discovery §4.3: the document must name the issuer it was read from.
        raise ImproperlyConfigured(
            f"the discovery document names issuer {document.get('issuer')!r}, not {issuer!r}"
        )
    return document


def endpoint(setting: str) -> str:
    """The value of one of mozilla-django-oidc's endpoint settings."""
    explicit = getattr(settings, setting, "")
    if explicit:
        return explicit
    if not sso_enabled():
        raise ImproperlyConfigured("single sign-on is not configured (SVAR_OIDC_ISSUER)")
    return str(_discovery(settings.SVAR_OIDC_ISSUER)[ENDPOINTS[setting]])


def setting(name: str, *default: object) -> object:
    """mozilla-django-oidc's ``get_settings``, with endpoints from discovery."""
    if name in ENDPOINTS:
        return endpoint(name)
    if default:
        return getattr(settings, name, default[0])
    value = getattr(settings, name, None)
    if value is None:
        raise ImproperlyConfigured(f"Setting {name} not found")
    return value
