"""A mail provider's OAuth2 token endpoint, shaped like Microsoft's identity platform, and a
token introspection endpoint (RFC 7662) for the test mail servers.

- ``POST /{tenant}/oauth2/v2.0/token`` (Microsoft's path; ``POST /token`` is Google's): the
  refresh_token grant of RFC 6749 §6 with client_secret_post. The answer is Microsoft's:
  ``token_type``, ``scope``, ``expires_in`` and ``ext_expires_in`` (3599), ``access_token`` and
  a new ``refresh_token``. The old refresh token dies on use (stricter than Microsoft, which
  lets it live on: a client that forgets to store the rotated one fails here at once). Errors
  are Microsoft's too: 400 ``invalid_grant`` with an AADSTS code and a multi-line
  description, 401 ``invalid_client``, 400 ``invalid_scope`` when the mailbox scopes or
  ``offline_access`` are missing.
- ``POST /mail-oauth/introspect``: ``token=…`` → ``{"active": true, "username": …}`` while an
  access token lives; Dovecot's oauth2 passdb asks it at every XOAUTH2 login (and the test
  SMTP server does the same), so an expired token is refused by the real server.

Control (tests): ``POST /_sim/mailoauth/grant`` ``{"address": …}`` issues a first pair (the
consent a person gives in the provider's pages); ``POST /_sim/mailoauth/expire`` ends every
access token now; ``POST /_sim/mailoauth/revoke`` ``{"address": …}`` kills its refresh tokens.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from connectors.simulator.faults import FaultBoard
from connectors.simulator.wire import SimRequest, SimResponse

TOKEN_PATH = re.compile(r"^/(?:[A-Za-z0-9.\-]+/oauth2/v2\.0/)?token$")
INTROSPECT_PATH = "/mail-oauth/introspect"
ACCESS_SECONDS = 3599
REQUIRED_SCOPES = frozenset({
    "https://outlook.office.com/IMAP.AccessAsUser.All",
    "https://outlook.office.com/SMTP.Send",
    "offline_access",
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class AccessToken:
    address: str
    expires_at: float


class MailOAuthApp:
    name = "mailoauth"

    def __init__(self, client_id: str = "svar-mail", client_secret: str = "svar-mail-secret",
                 clock: Callable[[], float] = time.time) -> None:  # fmt: skip
        self.client_id = client_id
        self.client_secret = client_secret
        self.clock = clock
        self._refresh: dict[str, str] = {}  # refresh token → address
        self._access: dict[str, AccessToken] = {}
        self.refreshes = 0  # successful refresh_token grants, for tests
        self._lock = threading.Lock()

    # --- set-up, for tests and the control API ---------------------------------------------

    def grant(self, address: str, lifetime: float = ACCESS_SECONDS) -> tuple[str, str]:
        """A first access and refresh token for the mailbox, as after a person's consent."""
        with self._lock:
            return self._issue(address, lifetime)

    def expire_access_tokens(self) -> None:
        with self._lock:
            self._access = {k: AccessToken(v.address, 0.0) for k, v in self._access.items()}

    def revoke(self, address: str) -> None:
        with self._lock:
            self._refresh = {k: v for k, v in self._refresh.items() if v != address}

    def active(self, token: str) -> str | None:
        """The mailbox address the access token is for while it lives; else None."""
        with self._lock:
            found = self._access.get(token)
        return found.address if found and found.expires_at > self.clock() else None

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            return {"refreshes": self.refreshes, "refresh_tokens": len(self._refresh)}

    # --- routing ------------------------------------------------------------------------------

    def handles(self, request: SimRequest) -> bool:
        return request.method == "POST" and (
            bool(TOKEN_PATH.match(request.path)) or request.path == INTROSPECT_PATH
        )

    def handle(self, request: SimRequest, faults: FaultBoard) -> SimResponse:
        if request.path.startswith("/_sim/"):
            return self._control(request)
        if request.path == INTROSPECT_PATH:
            address = self.active(request.form().get("token", ""))
            if address is None:
                return SimResponse.json({"active": False})
            return SimResponse.json({"active": True, "username": address,
                                     "token_type": "Bearer"})  # fmt: skip
        return self._token(request, microsoft="/oauth2/" in request.path)

    def _control(self, request: SimRequest) -> SimResponse:
        body = request.json() or {}
        if request.path == "/_sim/mailoauth/grant":
            access, refresh = self.grant(str(body["address"]))
            return SimResponse.json({"access_token": access, "refresh_token": refresh}, 201)
        if request.path == "/_sim/mailoauth/expire":
            self.expire_access_tokens()
            return SimResponse.json({"ok": True})
        if request.path == "/_sim/mailoauth/revoke":
            self.revoke(str(body["address"]))
            return SimResponse.json({"ok": True})
        return SimResponse.json({"error": "unknown mailoauth control route"}, 404)

    def _token(self, request: SimRequest, *, microsoft: bool) -> SimResponse:
        form = request.form()
        client = (form.get("client_id"), form.get("client_secret"))
        if client != (self.client_id, self.client_secret):
            return _error(401, "invalid_client", 7000215, "Invalid client secret provided.")
        if form.get("grant_type") != "refresh_token":
            return _error(400, "unsupported_grant_type", 70003, "The app requested an "
                          "unsupported grant type.")  # fmt: skip
        scopes = set(form.get("scope", "").split())
        if microsoft and not scopes.issuperset(REQUIRED_SCOPES):
            return _error(400, "invalid_scope", 70011, "The provided value for the input "
                          "parameter 'scope' is not valid.")  # fmt: skip
        with self._lock:
            address = self._refresh.pop(form.get("refresh_token", ""), None)
            if address is None:
                return _error(400, "invalid_grant", 70008, "The provided authorization code or "
                              "refresh token has expired due to inactivity.")  # fmt: skip
            access, refresh = self._issue(address, ACCESS_SECONDS)
            self.refreshes += 1
        return SimResponse.json({
            "token_type": "Bearer", "scope": " ".join(sorted(REQUIRED_SCOPES)),
            "expires_in": ACCESS_SECONDS, "ext_expires_in": ACCESS_SECONDS,
            "access_token": access, "refresh_token": refresh,
        })  # fmt: skip

    def _issue(self, address: str, lifetime: float) -> tuple[str, str]:
        access = "EwB" + secrets.token_urlsafe(32)
        refresh = "M.C5" + secrets.token_urlsafe(32)
        self._access[access] = AccessToken(address, self.clock() + lifetime)
        self._refresh[refresh] = address
        return access, refresh


def _error(status: int, error: str, code: int, text: str) -> SimResponse:
    """Microsoft's error body: the description carries the AADSTS code, then trace lines."""
    trace, correlation = uuid.uuid4(), uuid.uuid4()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    return SimResponse.json({
        "error": error,
        "error_description": f"AADSTS{code}: {text}\r\nTrace ID: {trace}\r\n"
                             f"Correlation ID: {correlation}\r\nTimestamp: {stamp}",
        "error_codes": [code], "timestamp": stamp, "trace_id": str(trace),
        "correlation_id": str(correlation),
        "error_uri": f"https://login.microsoftonline.com/error?code={code}",
    }, status)  # fmt: skip
