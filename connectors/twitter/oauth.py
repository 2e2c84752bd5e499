"""X's OAuth 2.0 Authorization Code flow with PKCE, through tweepy's ``OAuth2UserHandler``.

Pure: HTTP in, frozen values out, failures as ``connectors.errors``. The handler is a
requests-oauthlib ``OAuth2Session``; the same redirecting adapter as ``client.py`` sends it to
``base_url`` (the simulator) and gives every call a timeout. Traps (docs/platforms.md §1.1):
an access token lives two hours; X rotates the refresh token on every use, so the new one must
be stored before the old one is forgotten, and an old one answers 400 ``invalid_request``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import requests
import tweepy
from oauthlib.oauth2 import OAuth2Error
from requests_oauthlib import OAuth2Session

from connectors.errors import (
    AuthExpired,
    OAuthRefused,
    PlatformRejected,
    PlatformUnavailable,
)
from connectors.twitter.client import API_HOSTS, DEFAULT_TIMEOUT, RedirectingAdapter, build_client

X_SCOPES: tuple[str, ...] = (
    "tweet.read", "tweet.write", "users.read", "dm.read", "dm.write", "offline.access",
)  # fmt: skip
X_AUTHORIZE_BASE_URL = "https://x.com"
AUTHORIZE_PATH = "/i/oauth2/authorize"
TOKEN_URL = "https://api.x.com/2/oauth2/token"
REVOKE_URL = "https://api.x.com/2/oauth2/revoke"
# X answers a dead, used or unknown refresh token with either of these.
DEAD_REFRESH_ERRORS = frozenset({"invalid_request", "invalid_grant"})

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class XAuthorization:
    url: str  # where to send the admin's browser
    state: str  # the callback must bring this back
    code_verifier: str  # PKCE: keep server-side until the code is exchanged


@dataclass(frozen=True, slots=True)
class XTokenGrant:
    access_token: str
    refresh_token: str  # "" when offline.access was not granted
    expires_at: datetime
    scopes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class XUser:
    id: str
    username: str
    name: str


def x_authorization(
    *, client_id: str, redirect_uri: str, authorize_base_url: str = ""
) -> XAuthorization:
    """A fresh authorization URL with its own ``state`` and PKCE verifier (S256)."""
    handler = tweepy.OAuth2UserHandler(
        client_id=client_id, redirect_uri=redirect_uri, scope=list(X_SCOPES)
    )
    # tweepy builds it for twitter.com; only the query matters, the host is ours to choose.
    query = urlsplit(handler.get_authorization_url()).query
    base = (authorize_base_url or X_AUTHORIZE_BASE_URL).rstrip("/")
    return XAuthorization(
        url=f"{base}{AUTHORIZE_PATH}?{query}",
        state=parse_qs(query)["state"][0],
        code_verifier=handler._client.code_verifier,  # tweepy keeps it there too
    )


def x_exchange_code(
    *,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    code: str,
    code_verifier: str,
    base_url: str = "",
) -> XTokenGrant:
    """The first token pair. ``OAuthRefused`` for a wrong, used or expired code or verifier."""
    handler = _handler(client_id, client_secret, base_url, redirect_uri, X_SCOPES)

    def exchange() -> dict[str, Any]:
        # OAuth2Session's own fetch_token: tweepy's override wants the whole callback URL.
        return OAuth2Session.fetch_token(
            handler,
            TOKEN_URL,
            code=code,
            auth=handler.auth,
            include_client_id=True,
            code_verifier=code_verifier,
        )

    try:
        return _grant(_call(exchange))
    except OAuth2Error as error:
        raise OAuthRefused(_describe(error)) from error


def x_refresh(
    *, client_id: str, client_secret: str, refresh_token: str, base_url: str = ""
) -> XTokenGrant:
    """A new pair for the refresh token, which dies in the process (rotation).

    ``AuthExpired`` when the refresh token is revoked, used or unknown: reconnect needed.
    """
    handler = _handler(client_id, client_secret, base_url)

    def rotate() -> dict[str, Any]:
        return handler.refresh_token(
            TOKEN_URL, refresh_token=refresh_token, auth=handler.auth, client_id=client_id
        )

    try:
        return _grant(_call(rotate))
    except OAuth2Error as error:
        if error.error in DEAD_REFRESH_ERRORS:
            raise AuthExpired(_describe(error)) from error
        raise OAuthRefused(_describe(error)) from error


def x_revoke(*, client_id: str, client_secret: str, token: str, base_url: str = "") -> None:
    """Revoke an access or refresh token at X (already dead counts as revoked)."""
    handler = _handler(client_id, client_secret, base_url)
    response = _call(
        lambda: handler.post(
            REVOKE_URL, data={"token": token, "client_id": client_id}, auth=handler.auth
        )
    )
    _refuse_unless_ok(response)


def x_me(*, access_token: str, base_url: str = "") -> XUser:
    """Whose account the access token acts for (``GET /2/users/me``)."""
    client = build_client(access_token, base_url or None)
    try:
        response = client.get_me(user_auth=False)
    except tweepy.Unauthorized as error:
        raise AuthExpired(f"X refused the access token: {error}") from error
    except tweepy.TwitterServerError as error:
        raise PlatformUnavailable(f"X failed: {error}") from error
    except tweepy.HTTPException as error:
        raise PlatformRejected(f"X refused users/me: {error}") from error
    except requests.RequestException as error:
        raise PlatformUnavailable(f"{type(error).__name__}: {error}") from error
    try:
        data = response.json()["data"]
        return XUser(id=str(data["id"]), username=str(data["username"]), name=str(data["name"]))
    except (ValueError, KeyError, TypeError) as error:
        raise PlatformUnavailable(f"unexpected users/me answer from X: {error!r}") from error


# -- plumbing ---------------------------------------------------------------------------------


def _handler(
    client_id: str,
    client_secret: str,
    base_url: str,
    redirect_uri: str | None = None,
    scope: tuple[str, ...] | None = None,
) -> tweepy.OAuth2UserHandler:
    handler = tweepy.OAuth2UserHandler(
        client_id=client_id,
        redirect_uri=redirect_uri,
        scope=list(scope) if scope else None,
        client_secret=client_secret or None,  # none: a public client (client_id in the body)
    )
    adapter = RedirectingAdapter(base_url or None, DEFAULT_TIMEOUT)
    for host in API_HOSTS:
        handler.mount(host + "/", adapter)
    for hook in ("access_token_response", "refresh_token_response"):
        handler.register_compliance_hook(hook, _unavailable_on_server_error)
    return handler


def _unavailable_on_server_error(response: requests.Response) -> requests.Response:
    # Checked before oauthlib reads the body: an HTML 503 would otherwise look like a refusal.
    if response.status_code >= 500:
        raise PlatformUnavailable(f"X answered {response.status_code} at {response.url}")
    return response


def _call(request: Callable[[], T]) -> T:
    try:
        return request()
    except requests.RequestException as error:  # timeouts, refused connections, resets
        raise PlatformUnavailable(f"{type(error).__name__}: {error}") from error
    except Warning as changed:  # oauthlib: X granted other scopes than asked; keep its answer
        return changed.token  # type: ignore[attr-defined, no-any-return]


def _grant(token: dict[str, Any]) -> XTokenGrant:
    try:
        scope = token.get("scope") or ()
        scopes = tuple(scope.split() if isinstance(scope, str) else scope)
        expires_in = int(token["expires_in"])
        return XTokenGrant(
            access_token=str(token["access_token"]),
            refresh_token=str(token.get("refresh_token") or ""),
            expires_at=datetime.now(UTC) + timedelta(seconds=expires_in),
            scopes=scopes,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise PlatformUnavailable(f"unexpected token answer from X: {error!r}") from error


def _refuse_unless_ok(response: requests.Response) -> None:
    if response.status_code >= 500:
        raise PlatformUnavailable(f"X answered {response.status_code} at {response.url}")
    if response.status_code >= 400:
        raise OAuthRefused(f"X refused the revocation ({response.status_code}): {response.text}")


def _describe(error: OAuth2Error) -> str:
    return f"{error.error}: {error.description}" if error.description else str(error.error)
