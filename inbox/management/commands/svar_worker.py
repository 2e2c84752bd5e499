"""Run an RQ worker for Svar's queues, with the scheduler, and keep the poll dispatcher alive."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_rq.utils import reset_db_connections
from django_rq.workers import get_worker
from rq.logutils import setup_loghandlers

from connectors.jobs import DELIVERY_QUEUE, DISPATCH_QUEUE, POLL_QUEUE, schedule_dispatch


class Command(BaseCommand):
    help = "Run a worker: polls channel accounts, delivers replies, runs scheduled jobs."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--burst", action="store_true", help="Exit when the queues are empty")
        parser.add_argument("--name", default=None, help="Worker name (default: host.pid)")
        parser.add_argument(
            "--maintenance-interval",
            type=int,
            default=30,
            help="Seconds between registry clean-ups; a killed job is re-queued after the "
            "next clean-up (RQ's default is 10 minutes)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        setup_loghandlers("INFO" if options["verbosity"] < 2 else "DEBUG")
        worker = get_worker(DELIVERY_QUEUE, POLL_QUEUE, DISPATCH_QUEUE, name=options["name"])
        worker.maintenance_interval = options["maintenance_interval"]
        # Every worker (re)starts the dispatcher chain; slot-named job ids make it one chain.
        schedule_dispatch()
        reset_db_connections()  # never share a DB connection with forked work-horses
        worker.work(burst=options["burst"], with_scheduler=True)
