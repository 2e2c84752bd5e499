"""Whatever goes wrong under /api/, the answer is the one JSON error shape
``{"error": {"code", "message", "details"}}``: domain errors, DRF's own errors, unknown routes,
and a crash (which tells nothing of its cause)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _shape(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == code
    assert error["message"]
    return error


def test_a_domain_error_keeps_its_code_status_and_details(api):
    _shape(api.get("/api/conversations/999999"), 404, "not_found")


def test_a_validation_error_names_the_field(api):
    error = _shape(api.get("/api/conversations", {"limit": "many"}), 400, "invalid")
    assert "limit" in error["details"]["fields"]


def test_an_anonymous_request_is_refused_in_the_shape():
    _shape(APIClient().get("/api/conversations"), 401, "not_authenticated")


def test_a_wrong_method_is_refused_in_the_shape(api):
    _shape(api.get("/api/conversations/1/claim"), 405, "method_not_allowed")


@pytest.mark.parametrize("path", ["/api/nothing-here", "/api/conversations/x", "/api/"])
def test_an_unknown_route_is_a_404_in_the_shape(api, path):
    _shape(api.get(path), 404, "not_found")
    _shape(APIClient().post(path), 404, "not_found")


def test_a_crash_is_a_500_in_the_shape_without_its_cause(agent, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("secret connection string")

    monkeypatch.setattr("web.api.me.role_of", crash)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(agent.user)
    error = _shape(client.get("/api/me"), 500, "server_error")
    assert "secret" not in error["message"]
