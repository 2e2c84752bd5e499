"""Ingest takes its RQ queue from inbox.job_queue: one Redis client per process, reused by each
poll, instead of a new connection per enqueue (docs/performance.md)."""

from __future__ import annotations

import django_rq
from django.conf import settings

from inbox.job_queue import job_queue


def test_the_queue_is_made_once_and_reaches_the_same_redis():
    first = job_queue("default")
    assert job_queue("default") is first
    assert first.connection is job_queue("default").connection
    first.empty()
    first.enqueue("inbox.media.jobs.fetch_media", 1, job_id="job-queue-spec")
    assert django_rq.get_queue("default").job_ids == ["job-queue-spec"]
    first.empty()


def test_a_changed_configuration_gets_a_queue_of_its_own(monkeypatch):
    before = job_queue("default")
    monkeypatch.setitem(settings.RQ_QUEUES["default"], "URL", "redis://127.0.0.1:6399/0")
    moved = job_queue("default")
    assert moved is not before
    assert moved.connection.connection_pool.connection_kwargs["port"] == 6399
