"""LOG_FORMAT=json writes one JSON object per line, carrying the request id (the proxy's or a
new one), the client address and user in web processes, and the job id in workers' jobs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import django_rq
import pytest
from django.test import Client

from connectors.worker import SvarWorker
from inbox import context
from web.ops.log_format import JsonFormatter

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_line_is_json_with_context_extra_fields_and_the_traceback(json_lines):
    logger = logging.getLogger("svar.test")
    with context.bound(request_id="r-1", user_id=7, ip="203.0.113.9"):
        try:
            raise ValueError("kaput")
        except ValueError:
            logger.exception("poll of %s failed", "@skat", extra={"account_id": 3})

    (entry,) = lines(json_lines)
    assert entry["message"] == "poll of @skat failed"
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "svar.test"
    assert (entry["request_id"], entry["user_id"], entry["ip"]) == ("r-1", 7, "203.0.113.9")
    assert entry["account_id"] == 3
    assert "ValueError: kaput" in entry["exception"]
    assert entry["time"].endswith("+00:00")


def test_a_request_gets_an_id_that_its_log_lines_and_response_carry(json_lines, settings):
    settings.SVAR_REDIS_PREFIX = "svar-test-logs"
    given = Client().post(
        "/login/", {"username": "nobody", "password": "x"},
        REMOTE_ADDR="198.51.100.4", HTTP_X_REQUEST_ID="proxy-req-0001",
    )  # fmt: skip
    fresh = Client().get("/login/")

    failed_login = [e for e in lines(json_lines) if e["message"].startswith("failed login")]
    assert failed_login[0]["request_id"] == "proxy-req-0001"
    assert failed_login[0]["ip"] == "198.51.100.4"
    assert given["X-Request-ID"] == "proxy-req-0001"
    assert len(fresh["X-Request-ID"]) == 32  # made up when the proxy sent none
    bad = Client().get("/login/", HTTP_X_REQUEST_ID='"><script>')  # not plain: replaced
    assert bad["X-Request-ID"] != '"><script>'


def test_each_request_has_an_access_line_naming_the_token_user(json_lines, agent):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=agent.user)
    Client().get(
        "/api/me", HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_X_REQUEST_ID="req-me-0001"
    )

    (access,) = [e for e in lines(json_lines) if e["logger"] == "web.access"]
    assert access["message"].startswith("GET /api/me 200 ")
    assert (access["status"], access["method"]) == (200, "GET")
    assert access["user_id"] == agent.user.pk
    assert access["request_id"] == "req-me-0001"


def report_job_id() -> str:
    return context.current().job_id


@pytest.mark.django_db(transaction=True)  # django_rq enqueues on commit
def test_a_workers_job_runs_with_its_job_id():
    queue = django_rq.get_queue("default")
    queue.connection.delete(queue.key)
    job = queue.enqueue(report_job_id, job_id="job-id-in-logs")

    SvarWorker([queue], connection=queue.connection).work(burst=True)

    job.refresh()
    assert job.return_value() == "job-id-in-logs"
