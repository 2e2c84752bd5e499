"""OpenID Connect provider routes under ``/oidc/``: discovery, authorize (a sign-in page where
one picks a simulated person), token (RS256-signed ID tokens), JWKS and userinfo.

Fault switches under ``/_sim/oidc/faults`` make the next ID tokens wrong the ways a relying
party must notice: signed with a key the JWKS does not publish (same ``kid``), issued for
another audience, or carrying the nonce of an earlier sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlencode

from connectors.simulator.faults import FaultBoard
from connectors.simulator.oidc.keys import SigningKey
from connectors.simulator.oidc.pages import sign_in_page
from connectors.simulator.oidc.people import SimPerson, demo_people
from connectors.simulator.wire import SimRequest, SimResponse

PREFIX = "/oidc"
TOKEN_SECONDS = 300


class OidcFault(StrEnum):
    WRONG_KEY = "wrong_key"
    WRONG_AUDIENCE = "wrong_audience"
    OLD_NONCE = "old_nonce"


@dataclass(frozen=True, slots=True)
class Grant:
    """What an authorization code stands for until the token endpoint redeems it."""

    person: SimPerson
    client_id: str
    redirect_uri: str
    nonce: str | None
    code_challenge: str | None


class OidcApp:
    name = "oidc"

    def __init__(self, client_id: str = "svar", client_secret: str = "svar-sim-secret") -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = SigningKey.generate("sim-1")
        self._stranger = SigningKey(self.key.kid, SigningKey.generate("x").private)
        self.people: dict[str, SimPerson] = {p.sub: p for p in demo_people()}
        self._codes: dict[str, Grant] = {}
        self._access: dict[str, SimPerson] = {}
        self._nonces: list[str] = []  # every nonce seen, oldest first
        self._faults: set[OidcFault] = set()
        self._lock = threading.Lock()

    # --- set-up, for tests and the control API ---------------------------------------------

    def add_person(self, person: SimPerson) -> SimPerson:
        with self._lock:
            self.people[person.sub] = person
        return person

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            return {
                "people": sorted(self.people),
                "faults": sorted(self._faults),
                "codes_outstanding": len(self._codes),
            }

    # --- routing ------------------------------------------------------------------------------

    def handles(self, request: SimRequest) -> bool:
        return request.path.startswith(PREFIX + "/")

    def handle(self, request: SimRequest, faults: FaultBoard) -> SimResponse:
        if request.path.startswith("/_sim/oidc/"):
            return self._control(request)
        route = (request.method, request.path.removeprefix(PREFIX))
        if route == ("GET", "/.well-known/openid-configuration"):
            return SimResponse.json(self.discovery(_issuer(request)))
        if route == ("GET", "/jwks"):
            return SimResponse.json({"keys": [self.key.public_jwk()]})
        if route == ("GET", "/authorize"):
            return self._authorize_page(request)
        if route == ("POST", "/authorize"):
            return self._authorize(request)
        if route == ("POST", "/token"):
            return self._token(request)
        if route[1] == "/userinfo":
            return self._userinfo(request)
        return SimResponse.json({"error": "not_found"}, 404)

    def discovery(self, issuer: str) -> dict[str, object]:
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "jwks_uri": f"{issuer}/jwks",
            "userinfo_endpoint": f"{issuer}/userinfo",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "email_verified", "name", "groups", "nonce"],
        }

    def _control(self, request: SimRequest) -> SimResponse:
        if request.path == "/_sim/oidc/people" and request.method == "POST":
            spec = request.json()
            person = self.add_person(SimPerson(**spec))
            return SimResponse.json({"sub": person.sub}, 201)
        if request.path == "/_sim/oidc/faults" and request.method == "POST":
            with self._lock:
                self._faults.add(OidcFault(request.json()["fault"]))
            return SimResponse.json({"ok": True}, 201)
        if request.path == "/_sim/oidc/faults" and request.method == "DELETE":
            with self._lock:
                self._faults.clear()
            return SimResponse.json({"ok": True})
        return SimResponse.json({"error": "unknown oidc control route"}, 404)

    # --- authorize ----------------------------------------------------------------------------

    def _authorize_page(self, request: SimRequest) -> SimResponse:
        params = {k: v[0] for k, v in request.query.items() if v}
        problem = self._authorize_problem(params)
        if problem:
            return SimResponse.json({"error": "invalid_request", "error_description": problem}, 400)
        with self._lock:
            people = sorted(self.people.values(), key=lambda p: p.name)
        body = sign_in_page(people, params, action=f"{PREFIX}/authorize")
        return SimResponse(200, body, {"Content-Type": "text/html; charset=utf-8"})

    def _authorize_problem(self, params: dict[str, str]) -> str | None:
        if params.get("client_id") != self.client_id:
            return "unknown client_id"
        if params.get("response_type") != "code":
            return "only the code flow is supported"
        if "openid" not in params.get("scope", "").split():
            return "the openid scope is required"
        if not params.get("redirect_uri", "").startswith(("http://", "https://")):
            return "redirect_uri must be an absolute http(s) address"
        return None

    def _authorize(self, request: SimRequest) -> SimResponse:
        params = request.form()
        problem = self._authorize_problem(params)
        person = self.people.get(params.get("person", ""))
        if problem or person is None:
            return SimResponse.json({"error": "invalid_request", "error_description": problem}, 400)
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = Grant(
                person=person,
                client_id=params["client_id"],
                redirect_uri=params["redirect_uri"],
                nonce=params.get("nonce"),
                code_challenge=params.get("code_challenge"),
            )
        back = {"code": code, "state": params.get("state", "")}
        separator = "&" if "?" in params["redirect_uri"] else "?"
        return SimResponse(
            302, b"", {"Location": params["redirect_uri"] + separator + urlencode(back)}
        )

    # --- token, userinfo ------------------------------------------------------------------------

    def _token(self, request: SimRequest) -> SimResponse:
        form = request.form()
        client_id, secret = _client_credentials(request, form)
        if client_id != self.client_id or secret != self.client_secret:
            return SimResponse.json({"error": "invalid_client"}, 401)
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)  # a code is good once
        if grant is None or grant.redirect_uri != form.get("redirect_uri"):
            return SimResponse.json({"error": "invalid_grant"}, 400)
        if grant.code_challenge and _s256(form.get("code_verifier", "")) != grant.code_challenge:
            return SimResponse.json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._access[access_token] = grant.person
        id_token = self._id_token(grant, _issuer(request))
        return SimResponse.json(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": TOKEN_SECONDS,
                "id_token": id_token,
            },
            headers={"Cache-Control": "no-store"},
        )

    def _id_token(self, grant: Grant, issuer: str) -> str:
        with self._lock:
            faults = set(self._faults)
            earlier = self._nonces[-1] if self._nonces else "a-nonce-from-long-ago"
            if grant.nonce:
                self._nonces.append(grant.nonce)
        now = int(time.time())
        claims = {
            **grant.person.claims(),
            "iss": issuer,
            "aud": "someone-else" if OidcFault.WRONG_AUDIENCE in faults else grant.client_id,
            "iat": now,
            "exp": now + TOKEN_SECONDS,
        }
        nonce = earlier if OidcFault.OLD_NONCE in faults else grant.nonce
        if nonce:
            claims["nonce"] = nonce
        key = self._stranger if OidcFault.WRONG_KEY in faults else self.key
        return key.sign(claims)

    def _userinfo(self, request: SimRequest) -> SimResponse:
        with self._lock:
            person = self._access.get(request.bearer_token or "")
        if person is None:
            return SimResponse.json({"error": "invalid_token"}, 401)
        return SimResponse.json(person.claims())


def _issuer(request: SimRequest) -> str:
    return f"http://{request.headers.get('host', '127.0.0.1')}{PREFIX}"


def _client_credentials(request: SimRequest, form: dict[str, str]) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        return client_id, secret
    return form.get("client_id", ""), form.get("client_secret", "")


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
