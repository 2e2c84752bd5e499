"""Run an RQ worker for Svar's queues, with the scheduler, and keep the poll dispatcher alive."""

from __future__ import annotations

import contextlib
import itertools
import signal
import time
from logging import Logger
from typing import Any

import redis
from django.core.management.base import BaseCommand
from django_rq.utils import reset_db_connections
from django_rq.workers import get_worker
from rq.logutils import setup_loghandlers

from connectors.jobs import DELIVERY_QUEUE, DISPATCH_QUEUE, POLL_QUEUE
from connectors.worker import SvarWorker

REDIS_RETRY_MAX_SECONDS = 5.0


def wait_for_redis(connection: redis.Redis, *, log: Logger) -> None:
    """Until Redis answers (backing off to 5 s); SIGTERM or Ctrl-C meanwhile end the worker."""

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    delay = 0.25
    while True:
        try:
            connection.ping()
            log.warning("Redis answers again: starting a new worker")
            return
        except (redis.ConnectionError, redis.TimeoutError):
            log.warning("Redis is unreachable; trying again in %.1f s", delay)
            time.sleep(delay)
            delay = min(delay * 2, REDIS_RETRY_MAX_SECONDS)


class Command(BaseCommand):
    help = "Run a worker: polls channel accounts, delivers replies, runs scheduled jobs."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--queues",
            nargs="+",
            default=[DELIVERY_QUEUE, POLL_QUEUE, DISPATCH_QUEUE],
            help="Queues in priority order (default: delivery polling default)",
        )
        parser.add_argument("--burst", action="store_true", help="Exit when the queues are empty")
        parser.add_argument("--name", default=None, help="Worker name (default: host.pid)")
        parser.add_argument(
            "--maintenance-interval",
            type=int,
            default=15,
            help="Seconds between maintenance passes, which queue due polls and re-queue a "
            "killed job (RQ's default is 10 minutes)",
        )
        parser.add_argument(
            "--job-monitoring-interval",
            type=int,
            default=5,
            help="Seconds between heartbeats of a running job",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        setup_loghandlers("INFO" if options["verbosity"] < 2 else "DEBUG")
        for attempt in itertools.count():
            # A new name after a Redis outage: the old worker could not unregister itself.
            name = options["name"] and (options["name"] + (f"-{attempt}" if attempt else ""))
            worker = get_worker(
                *options["queues"],
                name=name,
                worker_class=SvarWorker,
                # RQ blocks on the queues for worker_ttl - 15 s between maintenance passes;
                # keep it short, or a worker whose scheduler died waits minutes to take over.
                worker_ttl=options["maintenance_interval"] + 15,
            )
            worker.maintenance_interval = options["maintenance_interval"]
            worker.job_monitoring_interval = options["job_monitoring_interval"]
            reset_db_connections()  # never share a DB connection with forked work-horses
            with contextlib.suppress(redis.ConnectionError):  # its teardown, Redis gone
                worker.work(burst=options["burst"], with_scheduler=True)
            if options["burst"] or worker._shutdown_requested_date is not None:
                return  # asked to stop (SIGTERM, Ctrl-C) or done
            # RQ quits when Redis goes away (a restart, a failover). Wait for it and work on,
            # rather than leave the queues unserved until a supervisor notices.
            wait_for_redis(worker.connection, log=worker.log)
