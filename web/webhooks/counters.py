"""Counts of refused and ignored webhook deliveries, shared by every web process through Redis
(the operators' Prometheus metrics read them, web/webhooks/metrics.py)."""

from __future__ import annotations

import logging

import django_rq
import redis

logger = logging.getLogger(__name__)

KEY = "svar:webhooks:meta:refused"
KINDS = ("bad_signature", "malformed", "unknown_account", "duplicate")


def count(kind: str) -> None:
    try:
        django_rq.get_connection("default").hincrby(KEY, kind, 1)
    except (redis.RedisError, OSError):
        logger.warning("webhook counter %s not counted: Redis unavailable", kind)


def totals() -> dict[str, int]:
    raw = django_rq.get_connection("default").hgetall(KEY)
    counted = {key.decode(): int(value) for key, value in raw.items()}
    return {kind: counted.get(kind, 0) for kind in KINDS}
