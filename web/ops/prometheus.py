"""``GET /metrics``: what operators watch, in Prometheus' text format (version 0.0.4).

Figures are read at scrape time from where they live (RQ's registries in Redis, the channel
accounts and undelivered replies in PostgreSQL, this process's WebSockets), so every web
replica reports the same shared figures plus its own connections, and nothing is counted
twice by a restart.

Access: with ``SVAR_METRICS_TOKEN`` set, only ``Authorization: Bearer <token>``; without it,
only clients on this machine (loopback). Like the probes, the endpoint answers before host
validation and the HTTPS redirect: scrapers call each replica by address over plain HTTP.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import django_rq
import redis
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from rq import Worker

from inbox.models import DeliveryState
from inbox.selectors.channel_accounts import channel_account_health_list
from inbox.selectors.messages import reply_count_by_state
from web.ws import stats as ws_stats

PATH = "/metrics"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UNDELIVERED = (DeliveryState.QUEUED, DeliveryState.SENDING, DeliveryState.FAILED)


@dataclass
class Family:
    name: str
    kind: str  # gauge | counter
    help: str
    samples: list[tuple[dict[str, str], float]] = field(default_factory=list)

    def add(self, value: float, **labels: object) -> None:
        self.samples.append(({k: str(v) for k, v in labels.items()}, float(value)))


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def render(families: Iterable[Family]) -> str:
    lines = []
    for family in families:
        lines += [f"# HELP {family.name} {family.help}", f"# TYPE {family.name} {family.kind}"]
        for labels, value in family.samples:
            body = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
            lines.append(f"{family.name}{{{body}}} {_number(value)}" if body
                         else f"{family.name} {_number(value)}")  # fmt: skip
    return "\n".join(lines) + "\n"


def _queue_families() -> list[Family]:
    up = Family("svar_redis_up", "gauge", "1 if Redis answered this scrape")
    depth = Family("svar_queue_depth", "gauge", "Jobs waiting in an RQ queue")
    started = Family("svar_queue_started_jobs", "gauge", "Jobs running now")
    scheduled = Family("svar_queue_scheduled_jobs", "gauge", "Jobs waiting for their time")
    failed = Family("svar_queue_failed_jobs", "gauge", "Jobs in RQ's failed registry")
    workers = Family("svar_workers", "gauge", "RQ workers alive (by heartbeat)")
    try:
        connection = None
        for name in settings.RQ_QUEUES:
            queue = django_rq.get_queue(name)
            connection = queue.connection
            depth.add(queue.count, queue=name)
            started.add(queue.started_job_registry.count, queue=name)
            scheduled.add(queue.scheduled_job_registry.count, queue=name)
            failed.add(queue.failed_job_registry.count, queue=name)
        workers.add(Worker.count(connection=connection))
        up.add(1)
    except (redis.RedisError, OSError):
        up.add(0)
        return [up]
    return [up, depth, started, scheduled, failed, workers]


def _database_families() -> list[Family]:
    up = Family("svar_database_up", "gauge", "1 if PostgreSQL answered this scrape")
    lag = Family(
        "svar_account_poll_lag_seconds", "gauge",
        "Age of the newest item at the account's last successful poll",
    )  # fmt: skip
    since = Family("svar_account_seconds_since_poll", "gauge", "Time since the last good poll")
    health = Family("svar_account_health", "gauge", "1 for the account's current health state")
    failures = Family(
        "svar_account_consecutive_poll_failures", "gauge", "Failed polls since the last good one"
    )
    replies = Family(
        "svar_replies", "gauge", "Replies not (yet) delivered, by state (failed: agent must act)"
    )
    try:
        now = timezone.now()
        for (
            pk,
            platform,
            name,
            state,
            lag_seconds,
            polled_at,
            failed,
        ) in channel_account_health_list():
            labels = {"account": pk, "platform": platform, "name": name}
            if lag_seconds is not None:
                lag.add(lag_seconds, **labels)
            if polled_at is not None:
                since.add((now - polled_at).total_seconds(), **labels)
            for option in ("healthy", "degraded", "unhealthy"):
                health.add(1 if state == option else 0, **labels, state=option)
            failures.add(failed, **labels)
        counts = reply_count_by_state(states=UNDELIVERED)
        for state in UNDELIVERED:
            replies.add(counts.get(state, 0), state=state)
        up.add(1)
    except DatabaseError:
        up.add(0)
        return [up]
    return [up, lag, since, health, failures, replies]


def _process_families() -> list[Family]:
    open_now = Family("svar_websocket_connections", "gauge", "WebSockets open on this process")
    open_now.add(ws_stats.open_connections())
    accepted = Family(
        "svar_websocket_connections_accepted_total", "counter", "WebSockets accepted here"
    )
    accepted.add(ws_stats.accepted_total())
    backlog = Family(
        "svar_websocket_backlog_chars", "gauge",
        "Characters of frames queued here for clients and not yet written",
    )  # fmt: skip
    backlog.add(ws_stats.backlog_chars())
    too_slow = Family(
        "svar_websocket_closed_too_slow_total", "counter",
        "WebSockets closed here (4408) because the client did not read its backlog",
    )  # fmt: skip
    too_slow.add(ws_stats.closed_too_slow_total())
    return [open_now, accepted, backlog, too_slow]


def metrics(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET"})
    if not _allowed(request):
        return HttpResponse(
            "Forbidden: send Authorization: Bearer <SVAR_METRICS_TOKEN>.\n",
            status=403, content_type="text/plain; charset=utf-8",
        )  # fmt: skip
    from web.webhooks.metrics import webhook_families  # it builds on this module's Family

    body = render([*_queue_families(), *_database_families(), *_process_families(),
                   *webhook_families()])  # fmt: skip
    return HttpResponse(body, content_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})


def _allowed(request: HttpRequest) -> bool:
    token = os.environ.get("SVAR_METRICS_TOKEN", "")
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


class MetricsEndpointMiddleware:
    """Answers ``/metrics`` exactly (``/metrics/`` is the managers' dashboard)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == PATH:
            return metrics(request)
        return self.get_response(request)
