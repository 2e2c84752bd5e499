"""/healthz and /readyz: what load balancers and compose health checks see."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connections
from django.test import Client, override_settings

from web.ops import health

# Nothing listens on port 1; the connection is refused at once.
DEAD_REDIS_URL = "redis://127.0.0.1:1/0"


def test_healthz_answers_without_touching_the_database(client: Client, monkeypatch):
    monkeypatch.setattr(health, "_database_error", pytest.fail)
    monkeypatch.setattr(health, "_redis_error", pytest.fail)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ok_when_database_and_redis_answer(client: Client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


@pytest.mark.django_db
@override_settings(REDIS_URL=DEAD_REDIS_URL)
def test_readyz_names_a_dead_redis(client: Client):
    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert list(body["failed"]) == ["redis"]
    assert "ConnectionError" in body["failed"]["redis"]


@pytest.mark.django_db
def test_readyz_names_a_failing_database(client: Client, monkeypatch):
    class BrokenCursor:
        def __enter__(self):
            raise OperationalError("connection refused")

        def __exit__(self, *exc: object) -> None:
            return None

    monkeypatch.setattr(type(connections["default"]), "cursor", lambda self: BrokenCursor())

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == {"database": "OperationalError: connection refused"}


@override_settings(ALLOWED_HOSTS=["svar.example.com"], SECURE_SSL_REDIRECT=True)
def test_probes_answer_any_host_over_plain_http(client: Client):
    # A container probe uses the container's address, not the public name, and plain HTTP.
    assert client.get("/healthz", HTTP_HOST="10.0.0.7:8000").status_code == 200
    assert client.get("/api/me", HTTP_HOST="10.0.0.7:8000").status_code == 400


def test_probes_only_answer_get(client: Client):
    assert client.post("/healthz").status_code == 405
