"""Connecting Facebook Pages with Facebook Login: the simulator's dialog, token exchange, Pages
list and debug_token, driven over real HTTP by connectors/facebook/oauth.py (facebook-sdk)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from connectors.errors import AuthExpired, OAuthRefused
from connectors.facebook.connector import FacebookConnector
from connectors.facebook.oauth import (
    FACEBOOK_SCOPES,
    REQUIRED_PAGE_TASKS,
    FacebookPageGrant,
    FacebookUserGrant,
    facebook_authorization_url,
    facebook_exchange_code,
    facebook_inspect,
    facebook_long_lived,
    facebook_pages,
    facebook_revoke,
)
from connectors.simulator import demo
from connectors.simulator.faults import Fault, FaultKind
from connectors.simulator.graph.app import GraphApp
from connectors.simulator.server import SimulatorServer
from tests.connectors import facebook_support
from tests.connectors.facebook_support import PAGE_ID, PAGE_NAME, TOKEN, SimulatedGraph
from tests.connectors.oauth_support import callback_params, open_consent

graph_server = facebook_support.graph_server

APP_ID = "1234567890123"
APP_SECRET = "svar-sim-app-secret"
CALLBACK = "http://svar.test/channels/facebook/callback"
OTHER_PAGE = ("100000000000002", "Toldstyrelsen")


class Clock:
    """The simulated Graph's time, moved by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def graph(graph_server: SimulatorServer, clock: Clock) -> Iterator[SimulatedGraph]:
    """A fresh simulated Graph with two Pages on the module's server, on a hand-moved clock."""
    app = GraphApp(clock=clock)
    app.add_page(PAGE_ID, PAGE_NAME, TOKEN)
    app.add_page(*OTHER_PAGE, token="fb-test-other-page-token")
    graph_server.simulator.apps[:] = [app]
    graph_server.simulator.faults.clear()
    yield SimulatedGraph(app, graph_server)
    graph_server.simulator.faults.clear()


def fault(graph: SimulatedGraph, kind: FaultKind, **options: object) -> None:
    graph.server.simulator.faults.add(Fault(kind=kind, platform="graph", **options))


def dialog_url(graph: SimulatedGraph, state: str = "st-1", **extra: str) -> str:
    url = facebook_authorization_url(
        app_id=APP_ID, redirect_uri=CALLBACK, state=state, dialog_base_url=graph.base_url
    )
    return url + "".join(f"&{k}={v}" for k, v in extra.items())


def login(graph: SimulatedGraph, **extra: str) -> FacebookUserGrant:
    """Consent, then the code for a short-lived user token."""
    callback = open_consent(dialog_url(graph, **extra)).press("allow")
    return exchange(graph, callback["code"])


def exchange(graph: SimulatedGraph, code: str, redirect_uri: str = CALLBACK) -> FacebookUserGrant:
    return facebook_exchange_code(app_id=APP_ID, app_secret=APP_SECRET, redirect_uri=redirect_uri,
                                  code=code, base_url=graph.base_url)  # fmt: skip


def long_lived(graph: SimulatedGraph, user: FacebookUserGrant) -> FacebookUserGrant:
    return facebook_long_lived(app_id=APP_ID, app_secret=APP_SECRET,
                               user_token=user.access_token, base_url=graph.base_url)  # fmt: skip


def pages(graph: SimulatedGraph, user: FacebookUserGrant) -> dict[str, FacebookPageGrant]:
    found = facebook_pages(user_token=user.access_token, base_url=graph.base_url)
    return {page.page_id: page for page in found}


def debug(graph: SimulatedGraph, token: str) -> dict:
    response = requests.get(
        f"{graph.base_url}/v21.0/debug_token",
        params={"input_token": token, "access_token": f"{APP_ID}|{APP_SECRET}"},
        timeout=5,
    )
    return response.json()["data"]


def in_days(days: float) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)


# -- the dialog ---------------------------------------------------------------------------------


def test_the_dialog_url_is_facebooks_with_every_needed_permission_and_the_state() -> None:
    url = facebook_authorization_url(app_id=APP_ID, redirect_uri=CALLBACK, state="s-42")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}

    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://www.facebook.com/v21.0/dialog/oauth"
    )
    assert query == {"client_id": APP_ID, "redirect_uri": CALLBACK, "state": "s-42",
                     "scope": ",".join(FACEBOOK_SCOPES)}  # fmt: skip


def test_the_consent_page_lists_the_pages_the_user_manages_and_the_permissions(
    graph: SimulatedGraph,
) -> None:
    page = open_consent(dialog_url(graph))

    assert page.buttons == {"allow": "Continue", "deny": "Cancel"}
    assert demo.FACEBOOK_USER_NAME in page.text
    assert PAGE_NAME in page.text
    assert OTHER_PAGE[1] in page.text
    for scope in FACEBOOK_SCOPES:
        assert scope in page.text


def test_continue_returns_the_state_and_a_code_for_a_short_lived_user_token(
    graph: SimulatedGraph,
) -> None:
    callback = open_consent(dialog_url(graph, state="abc-123")).press("allow")
    user = exchange(graph, callback["code"])

    assert callback["state"] == "abc-123"
    assert user.expires_at is not None
    assert user.expires_at < in_days(1)


def test_cancel_returns_access_denied_with_facebooks_reason_and_the_state(
    graph: SimulatedGraph,
) -> None:
    callback = open_consent(dialog_url(graph, state="abc-123")).press("deny")
    assert callback == {
        "error": "access_denied", "error_code": "200", "error_reason": "user_denied",
        "error_description": "Permissions error", "state": "abc-123",
    }  # fmt: skip


def test_the_consent_denied_switch_refuses_without_the_page(graph: SimulatedGraph) -> None:
    fault(graph, FaultKind.CONSENT_DENIED, remaining=1)
    response = requests.get(dialog_url(graph), allow_redirects=False, timeout=5)

    assert callback_params(response)["error_reason"] == "user_denied"
    assert open_consent(dialog_url(graph)).buttons  # one request only


def test_a_dialog_without_a_redirect_uri_is_an_error_page(graph: SimulatedGraph) -> None:
    response = requests.get(
        f"{graph.base_url}/v21.0/dialog/oauth", params={"client_id": APP_ID}, timeout=5
    )
    assert response.status_code == 400
    assert "redirect_uri" in response.text


# -- codes and tokens ---------------------------------------------------------------------------


def test_a_code_works_once(graph: SimulatedGraph) -> None:
    callback = open_consent(dialog_url(graph)).press("allow")
    exchange(graph, callback["code"])
    with pytest.raises(OAuthRefused, match="This authorization code has been used"):
        exchange(graph, callback["code"])


def test_a_code_is_bound_to_its_redirect_uri(graph: SimulatedGraph) -> None:
    callback = open_consent(dialog_url(graph)).press("allow")
    with pytest.raises(OAuthRefused, match="redirect_uri"):
        exchange(graph, callback["code"], redirect_uri="http://evil.test/callback")


def test_a_code_expires(graph: SimulatedGraph, clock: Clock) -> None:
    callback = open_consent(dialog_url(graph)).press("allow")
    clock.now += timedelta(minutes=11)
    with pytest.raises(OAuthRefused, match="expired"):
        exchange(graph, callback["code"])


def test_the_long_lived_user_token_lasts_about_sixty_days(graph: SimulatedGraph) -> None:
    user = long_lived(graph, login(graph))
    assert user.expires_at is not None
    assert in_days(59) < user.expires_at < in_days(61)


def test_a_dead_user_token_cannot_be_extended(graph: SimulatedGraph) -> None:
    with pytest.raises(AuthExpired):
        facebook_long_lived(app_id=APP_ID, app_secret=APP_SECRET, user_token="EAA-never-issued",
                            base_url=graph.base_url)  # fmt: skip


# -- Pages --------------------------------------------------------------------------------------


def test_each_page_comes_with_a_page_token_that_reads_that_page(graph: SimulatedGraph) -> None:
    graph.app.add_messenger_message(PAGE_ID, "psid-1", "Kirsten", "Hej, hvornår?")
    granted = pages(graph, long_lived(graph, login(graph)))

    assert set(granted) == {PAGE_ID, OTHER_PAGE[0]}
    page = granted[PAGE_ID]
    assert page.name == PAGE_NAME
    assert set(REQUIRED_PAGE_TASKS) <= set(page.tasks)
    assert page.missing_tasks == ()
    fetched = FacebookConnector(PAGE_ID, page.access_token, base_url=graph.base_url).fetch({})
    assert [m.body for m in fetched.messages] == ["Hej, hvornår?"]


def test_the_same_user_token_gets_the_same_page_token(graph: SimulatedGraph) -> None:
    user = long_lived(graph, login(graph))
    assert pages(graph, user)[PAGE_ID].access_token == pages(graph, user)[PAGE_ID].access_token


def test_a_page_without_the_moderate_and_messaging_tasks_is_named(graph: SimulatedGraph) -> None:
    fault(graph, FaultKind.MISSING_TASKS, remaining=1)
    page = pages(graph, long_lived(graph, login(graph)))[PAGE_ID]

    assert page.missing_tasks == ("MODERATE", "MESSAGING")
    assert "MODERATE" not in page.tasks


def test_login_as_another_user_lists_only_the_pages_that_user_manages(
    graph: SimulatedGraph,
) -> None:
    requests.post(f"{graph.base_url}/_sim/graph/users", timeout=5, json={
        "user_id": "10000000000000077", "name": "Told Admin", "page_ids": [OTHER_PAGE[0]],
    }).raise_for_status()  # fmt: skip
    granted = pages(graph, login(graph, login_as="10000000000000077"))
    assert list(granted) == [OTHER_PAGE[0]]


def test_the_pages_list_answers_in_graphs_shape(graph: SimulatedGraph) -> None:
    user = login(graph)
    response = requests.get(f"{graph.base_url}/v21.0/me/accounts",
                            params={"access_token": user.access_token}, timeout=5)  # fmt: skip
    body = response.json()

    assert set(body) == {"data", "paging"}
    assert set(body["paging"]["cursors"]) == {"before", "after"}
    assert {"id", "name", "access_token", "category", "tasks"} <= set(body["data"][0])


# -- debug_token ----------------------------------------------------------------------------------


def test_debug_token_describes_user_and_page_tokens(graph: SimulatedGraph) -> None:
    user = long_lived(graph, login(graph))
    page = pages(graph, user)[PAGE_ID]
    about_user, about_page = debug(graph, user.access_token), debug(graph, page.access_token)

    assert about_user["type"] == "USER"
    assert about_user["app_id"] == APP_ID
    assert about_user["is_valid"] is True
    assert about_user["user_id"] == demo.FACEBOOK_USER_ID
    assert about_user["scopes"] == list(FACEBOOK_SCOPES)
    assert about_page["type"] == "PAGE"
    assert about_page["profile_id"] == PAGE_ID
    assert about_page["expires_at"] == 0  # from a long-lived user token: never
    assert about_page["data_access_expires_at"] > datetime.now(UTC).timestamp() + 89 * 86400

    inspected = facebook_inspect(app_id=APP_ID, app_secret=APP_SECRET, token=page.access_token,
                                 base_url=graph.base_url)  # fmt: skip
    assert inspected.is_valid
    assert inspected.expires_at is None
    assert inspected.data_access_expires_at is not None
    assert inspected.data_access_expires_at > in_days(89)
    assert inspected.scopes == FACEBOOK_SCOPES


def test_data_access_ending_soon_is_visible(graph: SimulatedGraph) -> None:
    fault(graph, FaultKind.DATA_ACCESS_EXPIRING, lifetime_seconds=3 * 86400, remaining=1)
    user = long_lived(graph, login(graph))
    inspected = facebook_inspect(app_id=APP_ID, app_secret=APP_SECRET, token=user.access_token,
                                 base_url=graph.base_url)  # fmt: skip
    assert inspected.data_access_expires_at is not None
    assert in_days(2.9) < inspected.data_access_expires_at < in_days(3.1)


def test_an_unknown_token_is_reported_invalid(graph: SimulatedGraph) -> None:
    inspected = facebook_inspect(app_id=APP_ID, app_secret=APP_SECRET, token="EAA-garbage",
                                 base_url=graph.base_url)  # fmt: skip
    assert not inspected.is_valid


# -- expiry and revocation -----------------------------------------------------------------------


def test_a_page_token_set_to_expire_in_seconds_dies_then(
    graph: SimulatedGraph, clock: Clock
) -> None:
    user = long_lived(graph, login(graph))
    fault(graph, FaultKind.SHORT_TOKEN, lifetime_seconds=5, remaining=1)
    page = pages(graph, user)[PAGE_ID]
    connector = FacebookConnector(PAGE_ID, page.access_token, base_url=graph.base_url)
    connector.fetch({})

    clock.now += timedelta(seconds=6)

    with pytest.raises(AuthExpired):
        FacebookConnector(PAGE_ID, page.access_token, base_url=graph.base_url).fetch({})
    assert debug(graph, page.access_token)["is_valid"] is False


def test_revoking_kills_the_user_token_and_every_page_token_from_it(graph: SimulatedGraph) -> None:
    user = long_lived(graph, login(graph))
    page = pages(graph, user)[PAGE_ID]

    facebook_revoke(user_token=user.access_token, base_url=graph.base_url)

    with pytest.raises(AuthExpired):
        FacebookConnector(PAGE_ID, page.access_token, base_url=graph.base_url).fetch({})
    with pytest.raises(AuthExpired):
        pages(graph, user)
    assert debug(graph, page.access_token)["is_valid"] is False
    assert debug(graph, user.access_token)["error"]["code"] == 190
    # The Page's own fixed token (set up without Facebook Login) is untouched.
    FacebookConnector(PAGE_ID, TOKEN, base_url=graph.base_url).fetch({})
