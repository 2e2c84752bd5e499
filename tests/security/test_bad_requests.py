"""Bad requests are refused, never crash: query parameters are parsed in one place
(inbox/params.py) with limits, JSON bodies are checked for size and depth before any view
reads them, and whatever is refused under /api/ is refused in the API's JSON error shape
(pages: Svar's error page)."""

from __future__ import annotations

import base64
import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import api_client_for
from web.security.json_limits import json_depth_exceeds

pytestmark = pytest.mark.django_db

NESTED = "[" * 2048 + "]" * 2048  # 4 KB, far deeper than any request of Svar
BIG = 5 * 1024 * 1024


def _api_error(response, status: int = 400, field: str | None = None) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    error = json.loads(response.content)["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["message"]
    if field is not None:
        assert error["details"]["field"] == field, error
    return error


def _error_page(response, status: int = 400) -> str:
    assert response.status_code == status, response.content[:300]
    page = response.content.decode()
    assert 'id="error-title"' in page  # Svar's errors/error.html
    return page


def _browser(agent) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(pk=agent.user_id))
    return client


@pytest.fixture
def manager_api(manager) -> APIClient:
    return api_client_for(manager)


# --- ids: ASCII digits only, within PostgreSQL's bigint range ---------------------------------

BAD_IDS = ["²", "٣", "1.5", "-1", "0", "9223372036854775808", "9" * 30, "1 2", "0x1"]


@pytest.mark.parametrize("value", BAD_IDS)
@pytest.mark.parametrize("name", ["assignee", "team"])
def test_the_conversation_api_refuses_an_id_that_is_not_one(api, name, value):
    _api_error(api.get("/api/conversations", {name: value}), field=name)


@pytest.mark.parametrize("value", ["²", "٣", "9223372036854775808"])
def test_the_inbox_page_refuses_a_team_that_is_not_an_id(agent, value):
    client = _browser(agent)
    _error_page(client.get("/", {"team": value}))
    _error_page(client.get("/conversations/", {"team": value}))


@pytest.mark.parametrize("value", ["²", "٣", "9" * 30])
@pytest.mark.parametrize("name", ["team", "agent", "account"])
def test_metrics_refuse_an_id_that_is_not_one(manager, manager_api, name, value):
    _api_error(manager_api.get("/api/metrics/summary", {name: value}), field=name)
    _error_page(_browser(manager).get("/metrics/", {name: value}))


def test_the_at_risk_list_refuses_a_team_that_is_not_an_id(api):
    _api_error(api.get("/api/metrics/sla/at-risk", {"team": "²"}), field="team")


@pytest.mark.parametrize("value", ["²", "9" * 30, "1,x"])
def test_the_sla_flags_refuse_ids_that_are_not_ids(agent, value):
    _error_page(_browser(agent).get("/conversations/sla", {"ids": value}))


@pytest.mark.parametrize("name", ["team", "before"])
def test_the_audit_log_refuses_an_id_out_of_range(manager_api, name):
    _api_error(manager_api.get("/api/audit", {name: "9" * 30}), field=name)


# --- metrics: time zones, dates, text, pages --------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("tz", "Europe"),  # a directory of the zone database
        ("tz", "A" * 300),  # longer than a file name may be
        ("tz", "../../etc/passwd"),
        ("to", "9999-12-31"),  # the day after it is past Python's last date
        ("to", "0001-01-05"),  # 28 days before it is before Python's first
        ("from", "0001-01-01"),
        ("to", "2024-1-1"),
        ("to", "٢٠٢٤-٠١-٠١"),
        ("tag", "a\x00b"),
        ("tag", "t" * 51),
        ("platform", "myspace"),
        ("clock", "sundial"),
    ],
)
def test_metrics_refuse_a_bad_filter_with_a_clear_message(manager, manager_api, name, value):
    error = _api_error(manager_api.get("/api/metrics/summary", {name: value}), field=name)
    assert name in error["message"] or "zone" in error["message"]
    _error_page(_browser(manager).get("/metrics/", {name: value}))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("offset", "9" * 30),
        ("offset", "99999999999"),
        ("limit", "²"),
        ("key", "a\x00b"),
        ("min_seconds", "nan"),
        ("max_seconds", "1e999"),
        ("weekday", "²"),
    ],
)
def test_the_drill_down_refuses_a_bad_parameter(manager, manager_api, name, value):
    query = {"by": "tag", "key": "x", name: value}
    if name == "weekday":
        query["hour"] = "1"
    _api_error(manager_api.get("/api/metrics/intervals", query), field=name)


def test_a_schedule_in_a_time_zone_that_is_not_one_is_refused(manager_api, team):
    week = {"time_zone": "Europe", "weekly": {}, "holidays": []}
    response = manager_api.put(f"/api/metrics/teams/{team.pk}/schedule", week, "json")
    _api_error(response, field="time_zone")


# --- empty values mean "not given"; a bad cursor is refused -----------------------------------


@pytest.mark.parametrize("name", ["platform", "cursor", "team", "assignee", "tag", "status"])
def test_an_empty_parameter_means_not_given(api, conversation, name):
    given = api.get("/api/conversations", {name: ""})
    assert given.status_code == 200, given.content
    assert given.json() == api.get("/api/conversations").json()


# A cursor of the right form whose id is past PostgreSQL's bigint.
HUGE_ID = json.dumps({"o": "recent", "v": "2024-01-01T00:00:00+00:00", "id": 10**21})
HUGE_ID_CURSOR = base64.urlsafe_b64encode(HUGE_ID.encode()).decode().rstrip("=")


@pytest.mark.parametrize("cursor", ["garbage", HUGE_ID_CURSOR, "c" * 501])
def test_a_cursor_that_is_not_one_of_ours_is_refused(api, agent, conversation, cursor):
    _api_error(api.get("/api/conversations", {"cursor": cursor}), field="cursor")
    _error_page(_browser(agent).get("/", {"cursor": cursor}))


# --- JSON bodies: depth and size checked before any view --------------------------------------


@pytest.mark.parametrize(
    ("body", "too_deep"),
    [
        (b"[" * 33 + b"]" * 33, True),
        (b'{"a":' * 32 + b"1" + b"}" * 32, False),
        (b"[" * 40, True),  # unclosed: the parser would recurse just the same
        (b"[]" * 1000 + b"[" * 33, True),
        (b'["' + b"[" * 100 + b'"]', False),  # inside a string
        (b'["\\\\"' + b"[" * 40, True),  # an escaped backslash: the string ends
        (b'["\\\\", "' + b"[" * 40 + b'"]', False),
        (b'["\\"' + b"[" * 40 + b'"]', False),  # an escaped quote: the string goes on
        (b'{"a": [1, 2', False),  # bad JSON, but shallow: the parser says what is wrong
    ],
)
def test_the_depth_scan_counts_brackets_outside_strings(body, too_deep):
    assert json_depth_exceeds(body, 32) is too_deep


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_deeply_nested_json_to_a_login_page_is_refused_without_logging_in(path):
    client = Client(raise_request_exception=False)
    _error_page(client.post(path, NESTED, content_type="application/json"))


def test_deeply_nested_json_to_the_api_is_refused_in_the_shape(api, conversation):
    path = f"/api/conversations/{conversation.pk}/notes"
    error = _api_error(api.post(path, NESTED, content_type="application/json"))
    assert error["code"] == "json_too_deep"
    # Brackets inside strings are text, not nesting.
    body = json.dumps({"body": "[" * 5000})
    assert api.post(path, body, content_type="application/json").status_code == 201


def test_a_json_body_over_the_limit_is_413_in_the_shape(api, conversation, settings):
    path = f"/api/conversations/{conversation.pk}/notes"
    body = json.dumps({"body": "x" * (settings.SVAR_JSON_MAX_BYTES + 1)})
    assert _api_error(api.post(path, body, content_type="application/json"), 413)["code"] == (
        "too_large"
    )


def test_a_body_of_5_mb_is_413_in_the_shape_under_the_api_and_a_page_elsewhere(api, agent):
    body = "x" * BIG
    error = _api_error(api.post("/api/conversations", body, content_type="text/plain"), 413)
    assert error["code"] == "too_large"
    page = _browser(agent).post("/profile/", body, content_type="application/x-www-form-urlencoded")
    _error_page(page, 413)


# --- every refusal under /api/ in the JSON shape ----------------------------------------------


def test_an_unmatched_api_post_without_a_csrf_token_is_the_json_404(agent):
    client = APIClient(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(User.objects.get(pk=agent.user_id))
    _api_error(client.post("/api/nothing-here", {"a": 1}), 404)
    _api_error(client.post("/api/conversations/1/reply/", {"body": "x"}), 404)


def test_a_csrf_failure_is_svars_403_page(agent):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(User.objects.get(pk=agent.user_id))
    _error_page(client.post("/profile/", {"public_name": "x"}), 403)


def test_a_csrf_failure_under_the_api_is_a_json_403(rf):
    from web.errors import csrf_failure

    response = csrf_failure(rf.post("/api/conversations"), reason="CSRF cookie not set.")
    assert _api_error(response, 403)["code"] == "csrf_failed"


@pytest.mark.parametrize("path", ["/login", "/profile", "/logout"])
def test_a_post_to_a_page_without_its_slash_is_a_404_not_a_redirect_or_a_crash(path, settings):
    settings.DEBUG = True  # Django raises on a POST it would redirect, under DEBUG
    client = Client(raise_request_exception=False)
    response = client.post(path, {"username": "x", "password": "y"})
    assert response.status_code == 404
    assert client.get(path).status_code == 301  # a GET still finds its page
