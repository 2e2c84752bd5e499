"""Svar's RQ worker: RQ's own, dispatching due polls in its maintenance pass, and noticing a
dead work-horse in seconds rather than minutes.

RQ keeps a running job's registry entry alive for ``job_monitoring_interval + 60`` seconds past
each heartbeat; only after that does a clean-up re-queue the job of a killed work-horse. Our
jobs are safe to run twice (advisory locks, the delivery state machine), so a short grace costs
nothing and a crashed poll or delivery resumes quickly.
"""

from __future__ import annotations

from typing import Any

from django.db import close_old_connections
from rq import Worker
from rq.job import Job
from rq.queue import Queue

from inbox import context

RQ_HEARTBEAT_GRACE = 60  # what RQ adds to the monitoring interval


class SvarWorker(Worker):
    heartbeat_grace = 15

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()
        from connectors.jobs import dispatch  # the job layer imports Django models
        from connectors.webhook_jobs import drain_if_due
        from inbox.metrics.jobs import business_hours_recompute_resume
        from inbox.services.auto_assign import auto_assign_sweep
        from inbox.services.snooze import snooze_wake_due
        from inbox.services.webhooks import webhook_deliveries_prune

        try:
            close_old_connections()
            dispatch()
            business_hours_recompute_resume()  # a lost recompute of business time
            snooze_wake_due()  # snoozes whose scheduled wake-up job was lost
            auto_assign_sweep()  # automatic assignment: agents back online, others gone
            webhook_deliveries_prune()  # ingested webhook bodies hold customers' words
            drain_if_due()  # deliveries whose retry time has come (a failed mention lookup)
        except Exception:  # a failed pass must not stop the worker; the next pass retries
            self.log.exception("dispatching due polls failed")

    def fork_work_horse(self, job: Job, queue: Queue) -> None:
        # The horse inherits this process's database connection. Django checks a connection
        # only at a request's start (CONN_HEALTH_CHECKS): mark each pass and each job as one,
        # or a connection cut by a PostgreSQL restart stays dead for the worker's life.
        close_old_connections()
        super().fork_work_horse(job, queue)

    def perform_job(self, job: Job, queue: Queue, *args: Any, **kwargs: Any) -> bool:
        # Every log line of the job names it (LOG_FORMAT=json: "job_id").
        with context.bound(job_id=job.id):
            return super().perform_job(job, queue, *args, **kwargs)

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        rq_ttl = super().get_heartbeat_ttl(job, working_time)
        return max(rq_ttl - RQ_HEARTBEAT_GRACE + self.heartbeat_grace, 1)
