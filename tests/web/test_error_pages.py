"""Pages answer errors with Svar's own error page: a domain error a view raises gets its status
(web/errors.py's one table) and its message; Django's 403, 404 and 500 use the same layout and
say nothing of what failed."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory

from inbox import exceptions as domain
from web import errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(agent) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(pk=agent.user_id))
    return client


def _error_page(response, status: int) -> str:
    assert response.status_code == status
    page = response.content.decode()
    assert 'id="error-title"' in page  # errors/error.html
    assert 'class="topbar"' in page  # inside base.html
    return page


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (domain.InvalidInput("bad"), 400),
        (domain.ReplyTooLong("bad"), 400),
        (domain.ReplyEmpty("bad"), 400),
        (domain.PermissionDenied("bad"), 403),
        (domain.NotFound("bad"), 404),
        (domain.InvalidTransition("bad"), 409),
        (domain.StaleVersion("bad"), 409),
    ],
)
def test_each_domain_error_has_one_status_for_pages_and_the_api(agent, error, status):
    page = RequestFactory().get("/")
    page.user = agent.user
    api = RequestFactory().get("/api/conversations")
    assert errors.domain_error_response(page, error).status_code == status
    answer = errors.domain_error_response(api, error)
    assert answer.status_code == status
    assert answer["Content-Type"] == "application/json"


def test_a_bad_filter_on_the_inbox_is_a_400_page_saying_what_was_wrong(browser):
    page = _error_page(browser.get("/?team=abc"), 400)
    assert "team must be a number" in page


def test_the_list_fragment_answers_a_bad_filter_the_same_way(browser):
    _error_page(browser.get("/conversations/?platform=myspace"), 400)


def test_a_conversation_the_user_may_not_see_is_a_404_page(browser):
    page = _error_page(browser.get("/conversations/999999/"), 404)
    assert "Conversation 999999 was not found." in page
    _error_page(browser.get("/conversations/999999/pane"), 404)


def test_bad_sla_ids_are_a_400(browser):
    _error_page(browser.get("/conversations/sla?ids=1,x"), 400)


def test_the_metrics_dashboard_uses_the_same_error_page(browser):
    # An agent may not see metrics: the filters refuse, the shared mapping answers.
    page = _error_page(browser.get("/metrics/"), 403)
    assert "Response-time metrics are for managers." in page
    _error_page(browser.get("/metrics/export/nothing.csv"), 403)


def test_an_unknown_page_is_svars_404_page(browser):
    page = _error_page(browser.get("/no/such/page"), 404)
    assert "Page not found" in page


def test_the_error_page_speaks_danish(browser):
    page = _error_page(browser.get("/no/such/page", HTTP_ACCEPT_LANGUAGE="da"), 404)
    assert "Siden findes ikke" in page


def test_a_crash_is_svars_500_page_without_its_details(browser, monkeypatch):
    def crash() -> None:
        raise RuntimeError("secret connection string")

    monkeypatch.setattr("web.views.inbox.js_strings", crash)
    response = browser.get("/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert 'class="topbar"' in page
    assert "secret" not in page


def test_djangos_permission_denied_is_svars_403_page_without_its_reason(browser, monkeypatch):
    def refuse() -> None:
        raise PermissionDenied("internal reason")

    monkeypatch.setattr("web.views.inbox.js_strings", refuse)
    page = _error_page(browser.get("/"), 403)
    assert "internal reason" not in page


def test_an_unknown_metrics_export_is_a_404_page(manager):
    client = Client()
    client.force_login(User.objects.get(pk=manager.user_id))
    page = _error_page(client.get("/metrics/export/nothing.csv"), 404)
    assert "There is no table" in page
