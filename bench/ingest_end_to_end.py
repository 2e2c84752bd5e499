"""Ingest end to end: real ``manage.py svar_worker`` processes poll the simulated platforms
until every message of the workload is stored; per-poll fetch and store times come from the
workers' log lines."""

from __future__ import annotations

import argparse
import os
import re
import resource
import signal
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from bench.ingest_database import REPO, checks, create_accounts, worker_env
from bench.ingest_simulator import load_simulator
from bench.ingest_workload import Workload

LOGS = Path("/tmp/svar-bench-ingest")
DRAIN_TIMEOUT = 900  # seconds; a run that has not finished by then reports what it stored
POLL_LINE = re.compile(
    r"account (\d+): poll fetched (\d+) item\(s\) in ([\d.]+) ms, stored (\d+) in ([\d.]+) ms"
)


class Workers:
    def __init__(self, count: int, env: dict[str, str], interval: int) -> None:
        LOGS.mkdir(exist_ok=True)
        self.logs = [LOGS / f"worker-{n}.log" for n in range(count)]
        self.processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "svar_worker",
                    "--name",
                    f"bench-ingest-{n}-{os.getpid()}",
                    "--queues",
                    "polling",
                    "default",
                    "--maintenance-interval",
                    str(interval),
                ],
                cwd=REPO,
                env=env,
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
            for n, log in enumerate(self.logs)
        ]

    def wait_registered(self, redis_url: str) -> None:
        from redis import Redis
        from rq import Worker

        redis = Redis.from_url(redis_url)
        deadline = time.monotonic() + 60
        while len(Worker.all(connection=redis)) < len(self.processes):
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                raise RuntimeError(f"workers did not start; see {LOGS}")
            time.sleep(0.1)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def poll_lines(self) -> list[tuple[int, int, float, int, float]]:
        found = []
        for log in self.logs:
            for match in POLL_LINE.finditer(log.read_text(errors="replace")):
                account, items, fetch_ms, stored, store_ms = match.groups()
                found.append((int(account), int(items), float(fetch_ms), int(stored),
                              float(store_ms)))  # fmt: skip
        return found


def stored_count(dsn: str, account_ids: list[int]) -> int:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM inbox_message WHERE account_id = ANY(%s)", [account_ids]
        ).fetchone()[0]


def run_end_to_end(args: argparse.Namespace, workload: Workload) -> dict[str, Any]:
    from django.db import connection
    from django_rq import get_connection

    from connectors.jobs import dispatch
    from inbox.models import ChannelAccount

    get_connection("default").flushdb()
    loading = time.perf_counter()
    server, tokens = load_simulator(workload)
    load_s = time.perf_counter() - loading
    account_ids = create_accounts(workload, server.base_url)
    children_before = children_cpu()
    workers = Workers(args.workers, {**worker_env(args.dsn, args.redis), **tokens},
                      args.maintenance_interval)  # fmt: skip
    try:
        workers.wait_registered(args.redis)
        ChannelAccount.objects.filter(pk__in=account_ids).update(next_poll_at=datetime.now(UTC))
        connection.close()
        own_cpu = time.process_time()
        started = time.perf_counter()
        dispatch()  # the first polls; every later one is queued by a poll or a worker's dispatch
        stored = 0
        timeline = []
        while stored < len(workload.items) and time.perf_counter() - started < DRAIN_TIMEOUT:
            time.sleep(0.05)
            stored = stored_count(args.dsn, account_ids)
            timeline.append((round(time.perf_counter() - started, 2), stored))
        elapsed = time.perf_counter() - started
        own_cpu = time.process_time() - own_cpu
    finally:
        workers.stop()
        server.stop()
    polls = workers.poll_lines()
    worker_cpu = children_cpu() - children_before
    return {
        "messages": len(workload.items),
        "stored": stored,
        "seconds": round(elapsed, 3),
        "messages_per_s": round(stored / elapsed, 1),
        "simulator_load_seconds": round(load_s, 2),
        # CPU seconds over the run: the workers with their work-horses (including start-up and
        # shutdown), and this process (the simulator, mostly). The rest of the machine's two
        # cores went to PostgreSQL, Redis and whatever else ran.
        "cpu_seconds": {"workers": round(worker_cpu, 2), "bench_and_simulator": round(own_cpu, 2)},
        "checks": checks(args.dsn, account_ids),
        "polls": poll_stats(polls),
        "progress": thin(timeline, 40),
        "worker_logs": [str(log) for log in workers.logs],
    }


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def poll_stats(polls: list[tuple[int, int, float, int, float]]) -> dict[str, Any]:
    if not polls:
        return {"count": 0}
    fetch_ms = [p[2] for p in polls]
    store_ms = [p[4] for p in polls]
    stored = sum(p[3] for p in polls)
    items = sum(p[1] for p in polls)
    by_account: dict[int, int] = defaultdict(int)
    for p in polls:
        by_account[p[0]] += 1
    return {
        "count": len(polls),
        "items_fetched": items,
        "stored": stored,
        "items_per_poll_mean": round(items / len(polls), 1),
        "fetch_ms_total": round(sum(fetch_ms)),
        "store_ms_total": round(sum(store_ms)),
        "fetch_ms_per_item": round(sum(fetch_ms) / max(items, 1), 3),
        "store_ms_per_stored": round(sum(store_ms) / max(stored, 1), 3),
        "polls_per_account": dict(sorted(by_account.items())),
    }


def thin(points: list[tuple[float, int]], keep: int) -> list[tuple[float, int]]:
    if len(points) <= keep:
        return points
    step = len(points) / keep
    return [points[int(i * step)] for i in range(keep)] + [points[-1]]
