"""Renewing a mailbox's OAuth2 access token (XOAUTH2) with its refresh token.

Pure: HTTP in, a frozen grant out, failures as ``connectors.errors``. The refresh_token grant
of RFC 6749 §6, form-encoded to the provider's token endpoint with the app's id and secret
(client_secret_post, which both providers accept):

- Microsoft identity platform: ``https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token``
  with the scopes the mailbox needs, ``offline_access`` among them so a refresh token comes
  back. Microsoft usually returns a new refresh token (rotation): it must be stored.
- Google: ``https://oauth2.googleapis.com/token``; the scope of the first consent carries over
  (``https://mail.google.com/``) and the answer normally has no new refresh token.

An access token lives about an hour on both. ``invalid_grant`` means the refresh token is
revoked, expired or was issued to another app: only a person can authorise the app again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import requests

from connectors.errors import AuthExpired, PlatformRejected, PlatformUnavailable

MICROSOFT_LOGIN = "https://login.microsoftonline.com"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
MICROSOFT_SCOPES = (
    "https://outlook.office.com/IMAP.AccessAsUser.All",
    "https://outlook.office.com/SMTP.Send",
    "offline_access",
)
GOOGLE_SCOPES = ("https://mail.google.com/",)
PROVIDERS = ("microsoft", "google")
DEFAULT_LIFETIME = 3600  # when an answer leaves out expires_in (RFC 6749 §5.1 allows it)


@dataclass(frozen=True, slots=True)
class MailApp:
    """The OAuth app registered with the provider; id and secret come from the environment."""

    client_id: str
    client_secret: str


@dataclass(frozen=True, slots=True)
class MailTokenGrant:
    access_token: str
    refresh_token: str  # the rotated one; "" when the provider kept the old one
    expires_at: datetime
    scopes: tuple[str, ...]


def token_url(provider: str, tenant: str, base_url: str = "") -> str:
    """The provider's token endpoint; ``base_url`` (the simulator) replaces its host."""
    if provider == "microsoft":
        return (
            f"{base_url or MICROSOFT_LOGIN}/{quote(tenant or 'organizations', safe='')}"
            "/oauth2/v2.0/token"
        )
    if provider == "google":
        return f"{base_url}/token" if base_url else GOOGLE_TOKEN_URL
    raise PlatformRejected(f"unknown OAuth provider {provider!r}: use microsoft or google")


def mail_refresh(
    *, provider: str, tenant: str, app: MailApp, refresh_token: str, base_url: str = "",
    timeout: float = 20.0,
) -> MailTokenGrant:  # fmt: skip
    """A new access token for the refresh token. ``AuthExpired`` for ``invalid_grant`` (a person
    must authorise the app again); ``PlatformRejected`` for another refusal (a wrong client id
    or secret: the settings need fixing); ``PlatformUnavailable`` when the endpoint cannot be
    reached or answers 5xx (try again later: the old refresh token is still good)."""
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token,
            "client_id": app.client_id, "client_secret": app.client_secret}  # fmt: skip
    if provider == "microsoft":  # Google takes the scope of the consent; Microsoft wants it
        form["scope"] = " ".join(MICROSOFT_SCOPES)
    url = token_url(provider, tenant, base_url)
    try:
        response = requests.post(url, data=form, timeout=timeout,
                                 headers={"Accept": "application/json"})  # fmt: skip
    except requests.RequestException as error:
        raise PlatformUnavailable(f"the token endpoint: {type(error).__name__}: {error}") from error
    body = _json(response)
    if response.status_code >= 500 or response.status_code == 429:
        raise PlatformUnavailable(f"the token endpoint answered {response.status_code}")
    if response.status_code != 200:
        error = str(body.get("error") or f"HTTP {response.status_code}")
        # Microsoft's description runs to a trace and a timestamp on later lines.
        description = str(body.get("error_description") or "").split("\n", 1)[0].strip()
        reason = f"{error}: {description}" if description else error
        if error == "invalid_grant":
            raise AuthExpired(reason[:500])
        raise PlatformRejected(f"the token endpoint refused: {reason}"[:500])
    return _grant(body)


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _grant(body: dict[str, Any]) -> MailTokenGrant:
    access = body.get("access_token")
    if not isinstance(access, str) or not access:
        raise PlatformUnavailable("the token endpoint's answer has no access_token")
    try:
        lifetime = int(body.get("expires_in") or DEFAULT_LIFETIME)
    except (TypeError, ValueError):
        lifetime = DEFAULT_LIFETIME
    refresh = body.get("refresh_token")
    return MailTokenGrant(
        access_token=access,
        refresh_token=refresh if isinstance(refresh, str) else "",
        expires_at=datetime.now(UTC) + timedelta(seconds=lifetime),
        scopes=tuple(str(body.get("scope") or "").split()),
    )
