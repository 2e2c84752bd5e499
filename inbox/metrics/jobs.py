"""RQ jobs of the metrics: business time recomputed after a team's schedule changed.

A schedule change (``inbox.metrics.services.business_schedule_set``) bumps the schedule's
``revision``, sets ``recomputing_since`` and, once committed, queues
``business_hours_recompute(team, revision)``: at 200,000 intervals the recompute takes 13 s,
too long for the request. The job recomputes under the newest schedule and clears the flag only
if no change came in meanwhile; a newer change's own job then recomputes again, so the figures
end up under the newest schedule whatever the order in which jobs run. Jobs of one team wait
for each other on an advisory lock. A job whose work-horse dies is retried (``RETRY``); one
that is lost for good (retries spent, Redis emptied) is queued again by
``business_hours_recompute_resume``, which every worker's maintenance pass runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import django_rq
from django.db import connection
from django.utils import timezone
from rq import Retry
from rq.job import Job, JobStatus

from inbox.metrics.rebuild import business_seconds_recompute
from inbox.models import BusinessSchedule

QUEUE = "default"
RETRY = Retry(max=3, interval=[0, 30, 120])
JOB_TIMEOUT = 3600  # a team of millions of intervals; 200,000 take 13 s
# A flag older than this whose job is no longer queued or running was left by a lost job.
STALE_AFTER = timedelta(minutes=10)
_LOCK = 3 << 48  # advisory-lock namespace (connectors.jobs uses 1 << 48 and 2 << 48)
_LIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def _job_id(team_id: int, revision: int) -> str:
    return f"business-hours-{team_id}-{revision}"


def business_hours_recompute_enqueue(team_id: int, revision: int) -> Job:
    """Queue the recompute of the team's business time under its schedule's ``revision``."""
    return django_rq.get_queue(QUEUE).enqueue(
        "inbox.metrics.jobs.business_hours_recompute", team_id, revision,
        job_id=_job_id(team_id, revision), retry=RETRY, job_timeout=JOB_TIMEOUT,
    )  # fmt: skip


def business_hours_recompute(team_id: int, revision: int) -> str:
    """Recompute the team's business time; clear its flag if ``revision`` is still the newest."""
    with connection.cursor() as cursor:
        # Session-level: held across the recompute's transactions, dropped if the worker dies.
        cursor.execute("SELECT pg_advisory_lock(%s)", [_LOCK | team_id])
    try:
        newest = (
            BusinessSchedule.objects.filter(team_id=team_id)
            .values_list("revision", flat=True)
            .first()
        )
        if newest != revision:
            return f"skipped: revision {revision} is superseded by {newest}"
        updated = business_seconds_recompute(team_id=team_id)
        BusinessSchedule.objects.filter(team_id=team_id, revision=revision).update(
            recomputing_since=None
        )
        return f"recomputed {updated} intervals"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOCK | team_id])


def business_hours_recompute_resume(*, now: datetime | None = None) -> int:
    """Queue again every recompute whose flag went stale with no job of it queued or running;
    returns how many were queued."""
    now = now or timezone.now()
    stale = BusinessSchedule.objects.filter(recomputing_since__lt=now - STALE_AFTER)
    queue = django_rq.get_queue(QUEUE)
    queued = 0
    for team_id, revision in stale.values_list("team_id", "revision"):
        job = Job.fetch_many([_job_id(team_id, revision)], connection=queue.connection)[0]
        if job is not None and job.get_status(refresh=False) in _LIVE:
            continue
        # The flag's time becomes the re-queue's: the next pass waits for this job in turn.
        BusinessSchedule.objects.filter(team_id=team_id, revision=revision).update(
            recomputing_since=now
        )
        business_hours_recompute_enqueue(team_id, revision)
        queued += 1
    return queued
