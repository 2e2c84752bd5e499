"""Connecting accounts through the simulator's consent pages, as an admin's browser would:
Svar's service gives the authorize URL, the consent form is posted over real HTTP, and the
callback's query goes back to Svar's service."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.test import override_settings

from tests.connectors.oauth_support import open_consent

REDIRECT_URI = "http://testserver/channels/oauth/callback/"
CLIENT = {
    "SVAR_X_CLIENT_ID": "svar-test-client",
    "SVAR_X_CLIENT_SECRET": "svar-test-secret",
    "SVAR_FACEBOOK_APP_ID": "4242",
    "SVAR_FACEBOOK_APP_SECRET": "fb-test-secret",
}


@contextmanager
def oauth_apps(base_url: str) -> Iterator[None]:
    """Svar's OAuth apps pointed at the simulator."""
    with override_settings(
        **CLIENT, SVAR_X_OAUTH_BASE_URL=base_url, SVAR_FACEBOOK_OAUTH_BASE_URL=base_url
    ):
        yield


def consent(authorize_url: str, decision: str = "allow", login_as: str = "") -> dict[str, str]:
    """Open the consent page, press a button: the callback's query (state, code or error)."""
    if login_as:
        authorize_url += f"&login_as={login_as}"
    return open_consent(authorize_url).press(decision)
