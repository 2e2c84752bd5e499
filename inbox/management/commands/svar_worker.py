"""Run an RQ worker for Svar's queues, with the scheduler, and keep the poll dispatcher alive."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_rq.utils import reset_db_connections
from django_rq.workers import get_worker
from rq.logutils import setup_loghandlers

from connectors.jobs import DELIVERY_QUEUE, DISPATCH_QUEUE, POLL_QUEUE
from connectors.worker import SvarWorker


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
        worker = get_worker(
            *options["queues"],
            name=options["name"],
            worker_class=SvarWorker,
            # RQ blocks on the queues for worker_ttl - 15 s between maintenance passes; keep it
            # short, or a worker whose scheduler died waits minutes before taking over.
            worker_ttl=options["maintenance_interval"] + 15,
        )
        worker.maintenance_interval = options["maintenance_interval"]
        worker.job_monitoring_interval = options["job_monitoring_interval"]
        reset_db_connections()  # never share a DB connection with forked work-horses
        worker.work(burst=options["burst"], with_scheduler=True)
