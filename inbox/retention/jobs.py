"""The retention job (RQ): walks a team's due conversations in id order, a batch at a time.

A ``RetentionRun`` row is the job's progress: its cursor (last id done) and counts are stored
with each batch, so a job that died (worker killed, database restarted) resumes where it
stopped when it runs again. Batches are paced (``Pacing``): after each, the job pauses at
least ``SVAR_RETENTION_PAUSE_MS`` and long enough to be busy at most
``SVAR_RETENTION_BUSY_SHARE`` of its time, so on a loaded machine, where batches take longer,
it pauses longer. The policies are read again before every batch, so a change made
while the job runs applies from the next batch on (a longer period keeps what is no longer
due). One job per team at a time (advisory lock, lock #1 of docs/architecture.md §3.5). When
the walk is done the run is closed and audited with its counts (never what went).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

import django_rq
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from rq import Retry
from rq.job import Job

from inbox.audit import audit
from inbox.models import AuditAction, Conversation, RetentionRun
from inbox.retention.policies import due_filter, rules_in_force
from inbox.retention.purge import (
    batch_purge_locked,
    contacts_drop_unreferenced,
    erased_contacts_ensure,
)

QUEUE = "default"
_LOCK = 4 << 48  # advisory-lock namespace (connectors.jobs 1, 2; inbox.metrics.jobs 3)


@dataclass(frozen=True, slots=True)
class Pacing:
    """Conversations per batch, the least pause after one (seconds), and the most of its wall
    time the job may spend working; the settings' values unless given."""

    batch: int
    pause: float
    busy_share: float

    @classmethod
    def of(cls, batch: int | None = None, pause: float | None = None,
           busy_share: float | None = None) -> Pacing:  # fmt: skip
        return cls(
            batch=max(1, batch or settings.SVAR_RETENTION_BATCH),
            pause=settings.SVAR_RETENTION_PAUSE_MS / 1000 if pause is None else max(0.0, pause),
            busy_share=min(1.0, max(0.01, busy_share or settings.SVAR_RETENTION_BUSY_SHARE)),
        )

    def pause_after(self, took: float) -> float:
        """Seconds to wait after a batch that took ``took`` seconds."""
        return max(self.pause, took * (1 - self.busy_share) / self.busy_share)


def retention_enqueue(team_id: int, *, batch: int | None = None,
                      pause: float | None = None) -> Job:  # fmt: skip
    return django_rq.get_queue(QUEUE).enqueue(
        "inbox.retention.jobs.retention_run", team_id, batch=batch, pause=pause,
        job_id=f"retention-{team_id}",
        retry=Retry(max=3, interval=[0, 60, 300]), job_timeout=6 * 3600,
    )  # fmt: skip


def _open_run(team_id: int) -> RetentionRun:
    """The team's unfinished run (a job that died), or a new one."""
    run = RetentionRun.objects.filter(team_id=team_id, finished_at__isnull=True).first()
    if run is None:
        return RetentionRun.objects.create(team_id=team_id, started_at=timezone.now())
    _drop_pending_contacts(run)  # the job may have died between a batch and its contacts
    return run


def _drop_pending_contacts(run: RetentionRun) -> None:
    if run.pending_contacts:
        with transaction.atomic():  # the contacts and the run's progress commit together
            _commit_without_waiting_for_disk()
            dropped = contacts_drop_unreferenced(run.pending_contacts)
            run.counts = dict(Counter(run.counts) + Counter(contacts=dropped))
            run.pending_contacts = []
            run.save(update_fields=["counts", "pending_contacts"])


def retention_step(run: RetentionRun, *, batch: int | None = None) -> bool:
    """One batch after the run's cursor under the policies as they are now; False when done."""
    rules = rules_in_force(run.team_id)
    ids = list(
        Conversation.objects.filter(due_filter(rules), team_id=run.team_id, pk__gt=run.cursor)
        .order_by("pk")
        .values_list("pk", flat=True)[: batch or settings.SVAR_RETENTION_BATCH]
    )
    if not ids:
        return False
    erased_contacts_ensure(set(Conversation.objects.filter(pk__in=ids).values_list(
        "account__platform", flat=True)))  # fmt: skip
    with transaction.atomic():  # the batch and its progress commit together
        _commit_without_waiting_for_disk()
        counts, contacts = batch_purge_locked(ids, rules)
        run.cursor, run.counts = ids[-1], dict(Counter(run.counts) + counts)
        run.pending_contacts = sorted(contacts)
        run.save(update_fields=["cursor", "counts", "pending_contacts"])
    _drop_pending_contacts(run)  # contacts come before conversations in the lock order
    return True


def _commit_without_waiting_for_disk() -> None:
    """This transaction's commit does not wait for its WAL to reach the disk. Safe here: the
    batch and the run's cursor are one transaction, so a crash loses both or neither, and the
    next run redoes what was lost."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")


def _close(run: RetentionRun) -> None:
    with transaction.atomic():
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at"])
        details = {"run": run.pk, **{k: v for k, v in run.counts.items() if v}}
        audit(AuditAction.RETENTION_RUN, actor=None, object_type="team", object_id=run.team_id,
              team_id=run.team_id, details=details)  # fmt: skip


def retention_run(team_id: int, *, batch: int | None = None, pause: float | None = None,
                  busy_share: float | None = None) -> dict[str, int]:  # fmt: skip
    """Apply the team's retention policies; returns the run's counts. The pacing (``Pacing``)
    leaves room to ingest and the inbox on a busy database."""
    pacing = Pacing.of(batch, pause, busy_share)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_LOCK | team_id])
    try:
        run = _open_run(team_id)
        started = time.monotonic()
        while retention_step(run, batch=pacing.batch):
            time.sleep(pacing.pause_after(time.monotonic() - started))
            started = time.monotonic()
        _close(run)
        return run.counts
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOCK | team_id])
