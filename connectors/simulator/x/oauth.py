"""X's OAuth 2.0 Authorization Code flow with PKCE, as the simulator serves it.

- ``GET /i/oauth2/authorize``: the consent page (which X user, which app, which scopes) with
  "Authorize app" and "Cancel"; both post back here and redirect to ``redirect_uri`` with
  ``state`` and ``code`` or ``error=access_denied``. ``login_as=<username>`` picks which
  simulated account consents (the demo account by default).
- ``POST /2/oauth2/token``: ``authorization_code`` (S256 verifier, same client and redirect URI,
  a code works once and for 30 s) and ``refresh_token`` (rotation: the used refresh token dies).
  Failures answer 400 ``{"error": "invalid_request", "error_description": ...}`` as X does.
- ``POST /2/oauth2/revoke``: forgets an access or refresh token, ``{"revoked": true}``.

Access tokens minted here act for the consenting account on every simulated X endpoint until
their ``expires_in`` (X: two hours), then answer 401. Control under ``/_sim/x/oauth/``:
``POST revoke_refresh_tokens {"user_id"}`` and ``GET users/{id}/tokens``.
Faults (``/_sim/faults``, platform ``x``): ``consent_denied``, ``short_token``
(``lifetime_seconds``); ``server_error_html`` and ``slow`` when their ``path_prefix`` names
``/2/oauth2``.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from connectors.simulator import demo
from connectors.simulator.consent import consent_page, error_page, redirect
from connectors.simulator.faults import FaultBoard, FaultKind
from connectors.simulator.wire import SimRequest, SimResponse
from connectors.simulator.x import wire
from connectors.simulator.x.state import XAccount, XState

AUTHORIZE_PATH = "/i/oauth2/authorize"
TOKEN_PATH = "/2/oauth2/token"
REVOKE_PATH = "/2/oauth2/revoke"
CONTROL_PREFIX = "/_sim/x/oauth/"

CODE_LIFETIME_SECONDS = 30
ACCESS_LIFETIME_SECONDS = 7200
INVALID_VALUE = "Value passed for the token was invalid."

# What X's consent page says each scope allows (the ones X documents; others are refused).
SCOPES = {
    "tweet.read": "See Posts from your timeline (including protected Posts).",
    "tweet.write": "Post and repost for you.",
    "users.read": "Any account you can view, including protected accounts.",
    "dm.read": "All your Direct Messages.",
    "dm.write": "Send and manage Direct Messages for you.",
    "offline.access": "Stay connected to your account until you revoke access.",
    "follows.read": "People who follow you and people who you follow.",
    "like.read": "Posts you've liked and likes you can view.",
    "list.read": "Lists, list members, and list followers of lists you've created or are a "
    "member of, including private lists.",
    "mute.read": "Accounts you've muted.",
    "block.read": "Accounts you've blocked.",
    "bookmark.read": "Get Bookmarked Posts.",
}
TRANSPORT_FAULTS = {FaultKind.SERVER_ERROR_HTML, FaultKind.SLOW}


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    client_id: str
    redirect_uri: str
    scope: tuple[str, ...]
    state: str
    code_challenge: str
    code_challenge_method: str
    account: XAccount

    def hidden_fields(self) -> dict[str, str]:
        return {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": " ".join(self.scope),
            "state": self.state,
            "code_challenge": self.code_challenge,
            "code_challenge_method": self.code_challenge_method,
            "login_as": self.account.username,
        }


@dataclass(frozen=True, slots=True)
class _Code:
    request: AuthorizationRequest
    issued_at: float


@dataclass(frozen=True, slots=True)
class _Refresh:
    client_id: str
    user_id: str
    scope: tuple[str, ...]


class XOAuth:
    def __init__(self, state: XState, clock: Callable[[], float] = time.time) -> None:
        self.state = state
        self._clock = clock
        self._lock = threading.Lock()
        self._codes: dict[str, _Code] = {}
        self._refresh: dict[str, _Refresh] = {}

    def handles(self, request: SimRequest) -> bool:
        return request.path in (AUTHORIZE_PATH, TOKEN_PATH, REVOKE_PATH) or (
            request.path.startswith(CONTROL_PREFIX)
        )

    def handle(self, request: SimRequest, faults: FaultBoard) -> SimResponse:
        if request.path.startswith(CONTROL_PREFIX):
            return self._control(request)
        if request.path == AUTHORIZE_PATH and request.method in ("GET", "POST"):
            return self._authorize(request, faults)
        if request.method != "POST":
            return wire.not_found_route(request.path)
        fault = faults.take("x", request.path, TRANSPORT_FAULTS, explicit_path=True)
        if fault is not None and fault.kind is FaultKind.SLOW:
            time.sleep(fault.delay_seconds)
        elif fault is not None:
            return wire.service_unavailable_html()
        if request.path == REVOKE_PATH:
            return self._revoke(request)
        return self._token(request, faults)

    # -- the consent page --------------------------------------------------------------------

    def _authorize(self, request: SimRequest, faults: FaultBoard) -> SimResponse:
        params = request.form()
        parsed = self._authorization_request(params)
        if isinstance(parsed, str):
            return error_page(400, parsed)
        denied = {"error": "access_denied", "state": parsed.state}
        if request.method == "GET":
            if faults.take("x", request.path, {FaultKind.CONSENT_DENIED}):
                return redirect(parsed.redirect_uri, denied)
            return self._consent(parsed)
        if params.get("decision") != "allow":
            return redirect(parsed.redirect_uri, denied)
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._codes[code] = _Code(parsed, self._clock())
        return redirect(parsed.redirect_uri, {"state": parsed.state, "code": code})

    def _authorization_request(self, params: Mapping[str, str]) -> AuthorizationRequest | str:
        """The validated request, or what X's error page would say about it."""
        for name in ("client_id", "redirect_uri", "scope", "state", "code_challenge"):
            if not params.get(name):
                return f"Missing required parameter [{name}]."
        if params.get("response_type") != "code":
            return "Value passed for the response_type was invalid."
        method = params.get("code_challenge_method") or "plain"
        if method not in ("S256", "plain"):
            return "Value passed for the code_challenge_method was invalid."
        scope = tuple(params["scope"].split())
        unknown = [s for s in scope if s not in SCOPES]
        if unknown:
            return f"Value passed for the scope was invalid: {' '.join(unknown)}."
        account = self._consenting_account(params.get("login_as"))
        if account is None:
            return f"No simulated X account is called @{params.get('login_as')}."
        return AuthorizationRequest(
            params["client_id"], params["redirect_uri"], scope, params["state"],
            params["code_challenge"], method, account,
        )  # fmt: skip

    def _consenting_account(self, username: str | None) -> XAccount | None:
        with self.state.lock:
            accounts = list(self.state.accounts.values())
        wanted = (username or demo.X_ACCOUNT_USERNAME).lower()
        match = next((a for a in accounts if a.username.lower() == wanted), None)
        if match is None and not username and accounts:
            return accounts[0]  # a world without the demo account: its first account consents
        return match

    def _consent(self, request: AuthorizationRequest) -> SimResponse:
        account = request.account
        return consent_page(
            title="Authorize app",
            intro=(
                f"{request.client_id} wants to access your X account "
                f"{account.name} (@{account.username})."
            ),
            items=[f"{scope}: {SCOPES[scope]}" for scope in request.scope],
            action=AUTHORIZE_PATH,
            hidden=request.hidden_fields(),
            allow_label="Authorize app",
            deny_label="Cancel",
        )

    # -- tokens ------------------------------------------------------------------------------

    def _token(self, request: SimRequest, faults: FaultBoard) -> SimResponse:
        form = request.form()
        client_id = _basic_client_id(request) or form.get("client_id")
        if not client_id:
            return _oauth_error(401, "unauthorized_client", "Missing valid authorization header")
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self._exchange_code(form, client_id, faults)
        if grant_type == "refresh_token":
            return self._rotate(form, client_id, faults)
        return _invalid("Value passed for the grant_type was invalid.")

    def _exchange_code(
        self, form: Mapping[str, str], client_id: str, faults: FaultBoard
    ) -> SimResponse:
        for name in ("code", "redirect_uri", "code_verifier"):
            if not form.get(name):
                return _invalid(f"Missing required parameter [{name}].")
        with self._lock:
            code = self._codes.pop(form["code"], None)  # one attempt per code, right or wrong
        if (
            code is None
            or self._clock() - code.issued_at > CODE_LIFETIME_SECONDS
            or code.request.client_id != client_id
            or code.request.redirect_uri != form["redirect_uri"]
            or not _verifier_matches(code.request, form["code_verifier"])
        ):
            return _invalid(INVALID_VALUE)
        return self._issue(client_id, code.request.account.user_id, code.request.scope, faults)

    def _rotate(self, form: Mapping[str, str], client_id: str, faults: FaultBoard) -> SimResponse:
        token = form.get("refresh_token")
        if not token:
            return _invalid("Missing required parameter [refresh_token].")
        with self._lock:
            grant = self._refresh.get(token)
            if grant is None or grant.client_id != client_id:
                return _invalid(INVALID_VALUE)
            del self._refresh[token]  # rotation: a refresh token works exactly once
        return self._issue(client_id, grant.user_id, grant.scope, faults)

    def _issue(
        self, client_id: str, user_id: str, scope: tuple[str, ...], faults: FaultBoard
    ) -> SimResponse:
        short = faults.take("x", TOKEN_PATH, {FaultKind.SHORT_TOKEN})
        lifetime = short.lifetime_seconds if short else ACCESS_LIFETIME_SECONDS
        access_token = _token_value()
        self.state.grant_token(access_token, user_id, lifetime)
        body = {
            "token_type": "bearer",
            "expires_in": lifetime,
            "access_token": access_token,
            "scope": " ".join(scope),
        }
        if "offline.access" in scope:
            body["refresh_token"] = _token_value()
            with self._lock:
                self._refresh[body["refresh_token"]] = _Refresh(client_id, user_id, scope)
        return SimResponse.json(body, headers={"Cache-Control": "no-store"})

    def _revoke(self, request: SimRequest) -> SimResponse:
        form = request.form()
        if not (_basic_client_id(request) or form.get("client_id")):
            return _oauth_error(401, "unauthorized_client", "Missing valid authorization header")
        token = form.get("token")
        if not token:
            return _invalid("Missing required parameter [token].")
        if not self.state.revoke_token(token):
            with self._lock:
                self._refresh.pop(token, None)
        return SimResponse.json({"revoked": True})

    # -- control -----------------------------------------------------------------------------

    def revoke_refresh_tokens(self, user_id: str) -> int:
        """Every refresh token of the user dies (as when they revoke the app on x.com)."""
        with self._lock:
            doomed = [t for t, g in self._refresh.items() if g.user_id == user_id]
            for token in doomed:
                del self._refresh[token]
        return len(doomed)

    def live_tokens(self, user_id: str) -> dict[str, list[str]]:
        now = self._clock()
        with self.state.lock:
            access = [
                t
                for t, (uid, exp) in self.state.user_tokens.items()
                if uid == user_id and now < exp
            ]
        with self._lock:
            refresh = [t for t, g in self._refresh.items() if g.user_id == user_id]
        return {"access_tokens": access, "refresh_tokens": refresh}

    def _control(self, request: SimRequest) -> SimResponse:
        route = request.path.removeprefix(CONTROL_PREFIX).strip("/").split("/")
        if request.method == "POST" and route == ["revoke_refresh_tokens"]:
            user_id = str((request.json() or {}).get("user_id", ""))
            return SimResponse.json({"revoked": self.revoke_refresh_tokens(user_id)})
        if request.method == "GET" and len(route) == 3 and route[::2] == ["users", "tokens"]:
            return SimResponse.json(self.live_tokens(route[1]))
        return SimResponse.json({"error": "unknown x oauth control route"}, 404)


def _verifier_matches(request: AuthorizationRequest, verifier: str) -> bool:
    if request.code_challenge_method == "plain":
        return secrets.compare_digest(verifier, request.code_challenge)
    digest = hashlib.sha256(verifier.encode()).digest()
    challenge = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    return secrets.compare_digest(challenge, request.code_challenge)


def _basic_client_id(request: SimRequest) -> str | None:
    value = request.headers.get("authorization", "")
    if not value.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(value[6:], validate=True).decode()
    except ValueError:
        return None
    client_id, _, secret = decoded.partition(":")
    return client_id if client_id and secret else None


def _token_value() -> str:
    return secrets.token_urlsafe(60)


def _invalid(description: str) -> SimResponse:
    return _oauth_error(400, "invalid_request", description)


def _oauth_error(status: int, error: str, description: str) -> SimResponse:
    return SimResponse.json({"error": error, "error_description": description}, status)
