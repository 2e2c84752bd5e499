"""The simulator's OpenID Connect provider, spoken to over HTTP as a relying party would: the
discovery document, the sign-in page, a code redeemed once for an RS256 ID token that verifies
against the published JWKS, userinfo, PKCE, and the fault switches."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from html import unescape
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from connectors.simulator.oidc.app import OidcApp
from connectors.simulator.server import Simulator, SimulatorServer

CALLBACK = "http://svar.example/sso/callback/"
VERIFIER = "v" * 50


@pytest.fixture
def idp() -> Iterator[tuple[OidcApp, str]]:
    app = OidcApp()
    server = SimulatorServer(Simulator([app])).start()
    yield app, f"{server.base_url}/oidc"
    server.stop()


def challenge(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )


def sign_in(issuer: str, person: str, nonce: str = "n-1") -> str:
    """The sign-in page, then picking ``person``: the code the provider sends back."""
    query = {
        "client_id": "svar", "response_type": "code", "scope": "openid email",
        "redirect_uri": CALLBACK, "state": "s-1", "nonce": nonce,
        "code_challenge": challenge(VERIFIER), "code_challenge_method": "S256",
    }  # fmt: skip
    page = httpx.get(f"{issuer}/authorize", params=query, trust_env=False)
    assert page.status_code == 200
    assert "Sofie Sand" in page.text
    assert "svar-borgerservice" in page.text  # the groups are shown before consenting
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text.split("<li>")[1]))
    chosen = {k: unescape(v) for k, v in fields.items()} | {"person": person}
    answer = httpx.post(f"{issuer}/authorize", data=chosen, trust_env=False)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    params = parse_qs(back.query)
    assert params["state"] == ["s-1"]
    return params["code"][0]


def redeem(issuer: str, code: str, verifier: str = VERIFIER) -> httpx.Response:
    return httpx.post(
        f"{issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "client_id": "svar",
            "client_secret": "svar-sim-secret",
            "code_verifier": verifier,
        },  # fmt: skip
        trust_env=False,
    )


def verified(issuer: str, id_token: str, audience: str = "svar") -> dict:
    keys = httpx.get(f"{issuer}/jwks", trust_env=False).json()["keys"]
    key = jwt.PyJWK(keys[0])
    return jwt.decode(id_token, key, algorithms=["RS256"], audience=audience, issuer=issuer)


def test_discovery_names_the_issuer_and_its_endpoints(idp: tuple[OidcApp, str]) -> None:
    _, issuer = idp
    document = httpx.get(f"{issuer}/.well-known/openid-configuration", trust_env=False).json()
    assert document["issuer"] == issuer
    assert document["token_endpoint"] == f"{issuer}/token"
    assert document["jwks_uri"] == f"{issuer}/jwks"
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]


def test_a_code_becomes_a_signed_id_token_with_groups_and_the_nonce_once(
    idp: tuple[OidcApp, str],
) -> None:
    _, issuer = idp
    code = sign_in(issuer, "sim-henrik", nonce="n-henrik")
    tokens = redeem(issuer, code)
    assert tokens.status_code == 200
    claims = verified(issuer, tokens.json()["id_token"])
    assert claims["sub"] == "sim-henrik"
    assert claims["email"] == "henrik@kommune.example"
    assert claims["groups"] == ["svar-borgerservice-ledere"]
    assert claims["nonce"] == "n-henrik"
    userinfo = httpx.get(
        f"{issuer}/userinfo",
        headers={"Authorization": f"Bearer {tokens.json()['access_token']}"},
        trust_env=False,
    )
    assert userinfo.json()["sub"] == "sim-henrik"
    assert redeem(issuer, code).json()["error"] == "invalid_grant"  # a code is good once


def test_a_wrong_pkce_verifier_or_client_secret_is_refused(idp: tuple[OidcApp, str]) -> None:
    _, issuer = idp
    assert redeem(issuer, sign_in(issuer, "sim-sofie"), verifier="w" * 50).status_code == 400
    bad_secret = httpx.post(
        f"{issuer}/token",
        data={"code": sign_in(issuer, "sim-sofie"), "client_id": "svar", "client_secret": "x"},
        trust_env=False,
    )
    assert bad_secret.status_code == 401


def test_an_unknown_client_gets_no_sign_in_page(idp: tuple[OidcApp, str]) -> None:
    _, issuer = idp
    query = {"client_id": "evil", "response_type": "code", "scope": "openid",
             "redirect_uri": CALLBACK}  # fmt: skip
    assert httpx.get(f"{issuer}/authorize", params=query, trust_env=False).status_code == 400


@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        ("wrong_key", jwt.InvalidSignatureError),
        ("wrong_audience", jwt.InvalidAudienceError),
    ],
)
def test_faults_make_id_tokens_a_relying_party_must_refuse(
    idp: tuple[OidcApp, str], fault: str, problem: type[Exception]
) -> None:
    app, issuer = idp
    base = issuer.removesuffix("/oidc")
    httpx.post(f"{base}/_sim/oidc/faults", json={"fault": fault}, trust_env=False)
    id_token = redeem(issuer, sign_in(issuer, "sim-sofie")).json()["id_token"]
    with pytest.raises(problem):
        verified(issuer, id_token)
    httpx.delete(f"{base}/_sim/oidc/faults", trust_env=False)
    assert verified(issuer, redeem(issuer, sign_in(issuer, "sim-sofie")).json()["id_token"])


def test_the_old_nonce_fault_replays_an_earlier_sign_ins_nonce(idp: tuple[OidcApp, str]) -> None:
    _, issuer = idp
    redeem(issuer, sign_in(issuer, "sim-sofie", nonce="first"))
    httpx.post(
        f"{issuer.removesuffix('/oidc')}/_sim/oidc/faults",
        json={"fault": "old_nonce"},
        trust_env=False,
    )
    id_token = redeem(issuer, sign_in(issuer, "sim-sofie", nonce="second")).json()["id_token"]
    assert verified(issuer, id_token)["nonce"] == "first"
