"""A retention job whose worker is killed mid-way resumes where it stopped (issue #19)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from inbox.models import Conversation, RetentionPolicy, RetentionRun
from inbox.retention.jobs import retention_enqueue, retention_run
from tests.connectors.worker_support import WorkerProcess, wait_for
from tests.inbox.metrics_support import Clock
from tests.retention.support import resolved_conversation

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_killed_job_resumes_from_its_cursor_and_counts_each_conversation_once(
    monkeypatch, clean_queues, team, x_account, agent
):
    clock = Clock(monkeypatch)
    start = timezone.now() - timedelta(days=365)
    for i in range(6):
        resolved_conversation(clock, x_account, agent, f"old-{i}", start + timedelta(hours=i))
    RetentionPolicy.objects.create(team=team, days=30, action="delete", updated_at=timezone.now())
    retention_enqueue(team.pk, batch=1, pause=1.0)
    worker = WorkerProcess("default", name="retention")
    try:
        wait_for(lambda: 1 <= Conversation.objects.count() <= 4, timeout=60,
                 what="the job to delete its first batches")  # fmt: skip
        worker.kill()
    finally:
        worker.stop()
    run = RetentionRun.objects.get()
    assert run.finished_at is None
    assert run.cursor > 0
    left = Conversation.objects.count()
    assert run.counts["conversations"] == 6 - left

    counts = retention_run(team.pk)  # the next run picks the open one up

    assert Conversation.objects.count() == 0
    assert counts["conversations"] == 6
    assert counts["messages"] == 12
    assert RetentionRun.objects.count() == 1
    assert RetentionRun.objects.get().finished_at
