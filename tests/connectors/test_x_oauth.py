"""Connecting an X account with OAuth 2.0 and PKCE: the simulator's consent page and token
endpoint, driven over real HTTP by the pure client in connectors/twitter/oauth.py (tweepy's
OAuth2UserHandler underneath)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from connectors.base import OutboundReply, ThreadKind
from connectors.errors import AuthExpired, OAuthRefused, PlatformUnavailable
from connectors.simulator import demo
from connectors.simulator.faults import FaultKind
from connectors.simulator.x.app import XApp
from connectors.twitter.connector import XConnector
from connectors.twitter.oauth import (
    X_SCOPES,
    XTokenGrant,
    x_authorization,
    x_exchange_code,
    x_me,
    x_refresh,
    x_revoke,
)
from tests.connectors import x_openapi
from tests.connectors.oauth_support import callback_params, open_consent, redirect_target
from tests.connectors.test_twitter_simulator_schema import assert_matches_openapi
from tests.connectors.twitter_support import CUSTOMER, ME, XSim, start

CLIENT_ID = "c3ZhcjpjbGllbnQ"
CLIENT_SECRET = "svar-sim-client-secret"
CALLBACK = "http://svar.test/channels/x/callback"
SECOND = {"user_id": "1500000000000000002", "username": "toldvaesen_demo", "name": "Told (demo)"}


class Clock:
    """The simulator's time, moved by hand (for the code's 30-second life)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sim(clock: Clock) -> Iterator[XSim]:
    yield from start(XApp(clock=clock))


def authorize(sim: XSim, decision: str = "allow", **query: str) -> tuple[str, str, dict]:
    """Through the consent page: (state sent, code verifier, the callback's parameters)."""
    auth = x_authorization(
        client_id=CLIENT_ID, redirect_uri=CALLBACK, authorize_base_url=sim.base_url
    )
    url = auth.url + "".join(f"&{k}={v}" for k, v in query.items())
    return auth.state, auth.code_verifier, open_consent(url).press(decision)


def connect(sim: XSim, **query: str) -> XTokenGrant:
    _, verifier, callback = authorize(sim, **query)
    return exchange(sim, callback["code"], verifier)


def exchange(sim: XSim, code: str, verifier: str, **changes: str) -> XTokenGrant:
    arguments = {
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uri": CALLBACK,
        "code": code, "code_verifier": verifier, "base_url": sim.base_url, **changes,
    }  # fmt: skip
    return x_exchange_code(**arguments)


def refresh(sim: XSim, refresh_token: str) -> XTokenGrant:
    return x_refresh(client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                     refresh_token=refresh_token, base_url=sim.base_url)  # fmt: skip


def token_request(sim: XSim, **form: str) -> requests.Response:
    return requests.post(
        f"{sim.base_url}/2/oauth2/token", data=form, auth=(CLIENT_ID, CLIENT_SECRET), timeout=5
    )


# -- the authorization URL and the consent page -------------------------------------------------


def test_the_authorization_url_asks_x_for_a_code_with_s256_pkce_and_every_needed_scope() -> None:
    first = x_authorization(client_id=CLIENT_ID, redirect_uri=CALLBACK)
    second = x_authorization(client_id=CLIENT_ID, redirect_uri=CALLBACK)
    parts = urlsplit(first.url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}

    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://x.com/i/oauth2/authorize"
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == CALLBACK
    assert query["scope"].split() == list(X_SCOPES)
    assert "offline.access" in X_SCOPES
    assert "dm.write" in X_SCOPES
    assert query["code_challenge_method"] == "S256"
    assert query["state"] == first.state
    assert len(first.code_verifier) >= 43
    assert first.state != second.state
    assert first.code_verifier != second.code_verifier


def test_the_consent_page_names_the_account_the_app_and_each_scope(sim: XSim) -> None:
    auth = x_authorization(
        client_id=CLIENT_ID, redirect_uri=CALLBACK, authorize_base_url=sim.base_url
    )
    page = open_consent(auth.url)

    assert page.buttons == {"allow": "Authorize app", "deny": "Cancel"}
    assert f"@{demo.X_ACCOUNT_USERNAME}" in page.text
    assert CLIENT_ID in page.text
    for scope in X_SCOPES:
        assert scope in page.text
    assert page.fields["state"] == auth.state


def test_authorizing_returns_the_state_and_a_code_that_yields_a_two_hour_token_pair(
    sim: XSim,
) -> None:
    state, verifier, callback = authorize(sim)
    before = datetime.now(UTC)
    grant = exchange(sim, callback["code"], verifier)

    assert callback["state"] == state
    assert grant.access_token
    assert grant.refresh_token
    assert grant.scopes == X_SCOPES
    two_hours = before + timedelta(hours=2)
    assert two_hours - timedelta(seconds=5) <= grant.expires_at <= two_hours + timedelta(seconds=5)
    assert x_me(access_token=grant.access_token, base_url=sim.base_url).username == (
        demo.X_ACCOUNT_USERNAME
    )


def test_the_token_endpoint_answers_in_xs_shape(sim: XSim) -> None:
    _, verifier, callback = authorize(sim)
    response = token_request(
        sim, grant_type="authorization_code", code=callback["code"], redirect_uri=CALLBACK,
        code_verifier=verifier, client_id=CLIENT_ID,
    )  # fmt: skip
    body = response.json()

    assert response.status_code == 200
    assert set(body) == {"token_type", "expires_in", "access_token", "scope", "refresh_token"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 7200
    assert body["scope"] == " ".join(X_SCOPES)


def test_without_offline_access_there_is_no_refresh_token(sim: XSim) -> None:
    auth = x_authorization(client_id=CLIENT_ID, redirect_uri=CALLBACK,
                           authorize_base_url=sim.base_url)  # fmt: skip
    url = auth.url.replace("+offline.access", "")
    callback = open_consent(url).press("allow")
    response = token_request(
        sim, grant_type="authorization_code", code=callback["code"], redirect_uri=CALLBACK,
        code_verifier=auth.code_verifier,
    )  # fmt: skip
    assert "refresh_token" not in response.json()
    assert "offline.access" not in response.json()["scope"]


def test_the_minted_token_reads_mentions_and_dms_and_posts_as_the_consenting_account(
    sim: XSim,
) -> None:
    mention = sim.app.add_mention(ME, CUSTOMER, "Hvornår kommer årsopgørelsen?")
    dm = sim.app.add_dm(ME, CUSTOMER, "Hej, et spørgsmål i DM")
    grant = connect(sim)
    connector = XConnector(ME, grant.access_token, base_url=sim.base_url)

    fetched = {m.external_id for m in connector.fetch({}).messages}
    sent = connector.send(
        OutboundReply(idempotency_key="k1", thread_external_id=mention["id"],
                      kind=ThreadKind.PUBLIC, body="Til marts.",
                      recipient_external_id=CUSTOMER["id"], in_reply_to_external_id=mention["id"])
    )  # fmt: skip

    assert {mention["id"], dm["id"]} <= fetched
    assert [t["id"] for t in sim.app.posted_replies(ME)] == [sent.external_id]


def test_users_me_answers_the_tokens_account_as_xs_openapi_describes(sim: XSim) -> None:
    x_openapi.require()
    grant = connect(sim)
    response = requests.get(
        f"{sim.base_url}/2/users/me",
        headers={"Authorization": f"Bearer {grant.access_token}"},
        timeout=5,
    )
    assert response.json()["data"]["id"] == ME
    assert_matches_openapi("/2/users/me", "GET", response)


def test_login_as_connects_another_simulated_account(sim: XSim) -> None:
    sim.app.add_account(**SECOND, token="fixed-token-of-the-second-account")
    grant = connect(sim, login_as=SECOND["username"])

    me = x_me(access_token=grant.access_token, base_url=sim.base_url)

    assert (me.id, me.username, me.name) == (SECOND["user_id"], SECOND["username"], SECOND["name"])


# -- refusals ----------------------------------------------------------------------------------


def test_cancel_sends_the_admin_back_with_access_denied_and_the_state(sim: XSim) -> None:
    state, _, callback = authorize(sim, decision="deny")
    assert callback == {"error": "access_denied", "state": state}


def test_the_consent_denied_switch_refuses_without_showing_the_page(sim: XSim) -> None:
    sim.fault(FaultKind.CONSENT_DENIED, remaining=1)
    auth = x_authorization(client_id=CLIENT_ID, redirect_uri=CALLBACK,
                           authorize_base_url=sim.base_url)  # fmt: skip
    response = requests.get(auth.url, allow_redirects=False, timeout=5)

    assert redirect_target(response) == CALLBACK
    assert callback_params(response) == {"error": "access_denied", "state": auth.state}
    assert open_consent(auth.url).buttons  # the switch was for one request


@pytest.mark.parametrize(
    ("query", "complaint"),
    [
        ({"code_challenge": ""}, "code_challenge"),
        ({"response_type": "token"}, "response_type"),
        ({"scope": "tweet.read+space.conquer"}, "scope"),
        ({"login_as": "nobody_here"}, "@nobody_here"),
    ],
)
def test_a_malformed_authorization_request_gets_an_error_page_not_a_consent_form(
    sim: XSim, query: dict[str, str], complaint: str
) -> None:
    auth = x_authorization(client_id=CLIENT_ID, redirect_uri=CALLBACK,
                           authorize_base_url=sim.base_url)  # fmt: skip
    parts = urlsplit(auth.url)
    params = {k: v[0] for k, v in parse_qs(parts.query).items()} | query
    response = requests.get(f"{sim.base_url}{parts.path}", params=params, timeout=5)

    assert response.status_code == 400
    assert complaint in response.text
    assert "decision" not in response.text


def test_a_wrong_pkce_verifier_is_refused(sim: XSim) -> None:
    _, verifier, callback = authorize(sim)
    with pytest.raises(OAuthRefused, match="invalid_request"):
        exchange(sim, callback["code"], verifier[:-1] + ("A" if verifier[-1] != "A" else "B"))


def test_a_code_works_once(sim: XSim) -> None:
    _, verifier, callback = authorize(sim)
    exchange(sim, callback["code"], verifier)
    with pytest.raises(OAuthRefused, match="Value passed for the token was invalid"):
        exchange(sim, callback["code"], verifier)


def test_a_code_expires_after_thirty_seconds(sim: XSim, clock: Clock) -> None:
    _, verifier, callback = authorize(sim)
    clock.now += 31
    with pytest.raises(OAuthRefused):
        exchange(sim, callback["code"], verifier)


@pytest.mark.parametrize(
    "changes",
    [{"redirect_uri": "http://evil.test/callback"}, {"client_id": "another-app"}],
)
def test_a_code_is_bound_to_its_redirect_uri_and_client(sim: XSim, changes: dict[str, str]) -> None:
    _, verifier, callback = authorize(sim)
    with pytest.raises(OAuthRefused):
        exchange(sim, callback["code"], verifier, **changes)


def test_refusals_answer_xs_invalid_request_body(sim: XSim) -> None:
    response = token_request(sim, grant_type="refresh_token", refresh_token="never-issued")
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Value passed for the token was invalid.",
    }


# -- refresh, rotation, revocation, expiry --------------------------------------------------------


def test_refreshing_rotates_the_pair_and_the_old_refresh_token_dies(sim: XSim) -> None:
    first = connect(sim)
    second = refresh(sim, first.refresh_token)

    assert second.refresh_token != first.refresh_token
    assert second.access_token != first.access_token
    assert x_me(access_token=second.access_token, base_url=sim.base_url).id == ME
    with pytest.raises(AuthExpired):
        refresh(sim, first.refresh_token)
    third = refresh(sim, second.refresh_token)  # the new one works, once
    assert third.refresh_token not in (first.refresh_token, second.refresh_token)


def test_a_public_client_refreshes_with_its_client_id_alone(sim: XSim) -> None:
    grant = connect(sim)
    renewed = x_refresh(client_id=CLIENT_ID, client_secret="", refresh_token=grant.refresh_token,
                        base_url=sim.base_url)  # fmt: skip
    assert renewed.refresh_token


def test_revoking_a_users_refresh_tokens_makes_the_next_refresh_auth_expired(sim: XSim) -> None:
    grant = connect(sim)
    control = requests.post(f"{sim.base_url}/_sim/x/oauth/revoke_refresh_tokens",
                            json={"user_id": ME}, timeout=5)  # fmt: skip

    assert control.json() == {"revoked": 1}
    with pytest.raises(AuthExpired, match="invalid_request"):
        refresh(sim, grant.refresh_token)


def test_revoke_kills_an_access_token_or_a_refresh_token(sim: XSim) -> None:
    grant = connect(sim)
    arguments = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "base_url": sim.base_url}

    x_revoke(token=grant.access_token, **arguments)
    x_revoke(token=grant.refresh_token, **arguments)
    x_revoke(token=grant.refresh_token, **arguments)  # already dead still answers revoked

    with pytest.raises(AuthExpired):
        x_me(access_token=grant.access_token, base_url=sim.base_url)
    with pytest.raises(AuthExpired):
        refresh(sim, grant.refresh_token)
    assert sim.app.oauth.live_tokens(ME) == {"access_tokens": [], "refresh_tokens": []}


def test_an_access_token_expires_at_its_expires_in_and_the_api_answers_401(
    sim: XSim, clock: Clock
) -> None:
    mention = sim.app.add_mention(ME, CUSTOMER, "Hej")
    sim.fault(FaultKind.SHORT_TOKEN, lifetime_seconds=1, remaining=1)
    grant = connect(sim)
    connector = XConnector(ME, grant.access_token, base_url=sim.base_url)

    assert grant.expires_at - datetime.now(UTC) < timedelta(seconds=2)
    assert mention["id"] in {m.external_id for m in connector.fetch({}).messages}
    clock.now += 1.5
    raw = requests.get(f"{sim.base_url}/2/users/{ME}/mentions", timeout=5,
                       headers={"Authorization": f"Bearer {grant.access_token}"})  # fmt: skip

    assert raw.status_code == 401
    assert raw.json()["title"] == "Unauthorized"
    with pytest.raises(AuthExpired):
        connector.fetch({})
    renewed = refresh(sim, grant.refresh_token)  # the switch was for one token: back to 2 h
    assert renewed.expires_at - datetime.now(UTC) > timedelta(hours=1)


def test_a_failing_token_endpoint_is_platform_unavailable_not_a_dead_token(sim: XSim) -> None:
    grant = connect(sim)
    sim.fault(FaultKind.SERVER_ERROR_HTML, path_prefix="/2/oauth2/token", remaining=1)

    with pytest.raises(PlatformUnavailable):
        refresh(sim, grant.refresh_token)
    assert refresh(sim, grant.refresh_token).access_token  # the token survived the outage


def test_an_api_fault_without_a_path_is_not_spent_on_the_token_endpoint(sim: XSim) -> None:
    sim.fault(FaultKind.SERVER_ERROR_HTML, remaining=1)
    grant = connect(sim)
    with pytest.raises(PlatformUnavailable):
        XConnector(ME, grant.access_token, base_url=sim.base_url).fetch({})
