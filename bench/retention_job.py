"""Benchmark of the retention job while ingest and the conversation list run (issue #19).

    python -m bench.retention_job [--conversations 100000] [--per 10] [--window 20]
        [--window-a 10] [--batch 100] [--pause-ms 100]

The data (``bench/retention_seed.py``) is loaded once into the seed database and copied for
each run, under a 90-day *delete* policy. Ingest (``messages_ingest``, batches of 50 new
customer messages, a thread of this process) and list requests (``GET /api/conversations``
through Django's test client: view, serializer and SQL, no HTTP) run all the time. The
retention job (``manage.py svar_retention --now`` in its own process) runs in alternate
windows: A = job stopped (SIGSTOP), B = job running (SIGCONT), A B A B … until it ends, so
both sides see the same machine drift (A windows may be shorter: ``--window-a``). Per side:
ingest messages/s, list p50/p95/p99, and CPU per operation from /proc (the bench process, its
two PostgreSQL backends, the job process and its backend), plus the load average.
It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from bench import measure
from bench.retention_seed import clone, seed

SEED_DSN = "postgresql://postgres@127.0.0.1:5432/svar_ret_bench"
RUN_DSN = "postgresql://postgres@127.0.0.1:5432/svar_ret_bench_run"
JOB_APP = "svar-retention-bench-job"
_TICK = os.sysconf("SC_CLK_TCK")


_LAST_CPU: dict[int, float] = {}
_LAST_BACKEND: dict[int, int] = {}  # the job's pid → its PostgreSQL backend's pid


def _cpu(pid: int | None) -> float:
    """CPU seconds of a process so far; once it has ended (the job, its backend), the last
    reading, so the window in which it ends does not subtract its whole CPU time."""
    if not pid:
        return 0.0
    seconds = measure._cpu_ticks(pid) / _TICK
    if seconds:
        _LAST_CPU[pid] = seconds
    return _LAST_CPU.get(pid, 0.0)


def _backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


class Ingest(threading.Thread):
    """New customer messages in batches of 50, counted, until stopped."""

    def __init__(self, account_id: int) -> None:
        super().__init__(daemon=True)
        self.account_id, self.count, self.backend = account_id, 0, None
        self.stop = threading.Event()

    def run(self) -> None:
        from django.db import connection

        from inbox.services import messages_ingest
        from tests.factories import inbound

        self.backend, n, run = _backend_pid(), 0, int(time.time())
        while not self.stop.is_set():
            keys = [f"live-{run}-{n}-{i}" for i in range(50)]
            batch = [inbound(thread=key, author=key, external_id=key) for key in keys]
            messages_ingest(account_id=self.account_id, messages=batch)
            self.count, n = self.count + len(batch), n + 1
        connection.close()


def _job_state() -> tuple[int | None, int]:
    """The job's PostgreSQL backend (if connected) and the messages its run deleted so far."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [JOB_APP])
        row = cursor.fetchone()
        cursor.execute("SELECT coalesce(max((counts->>'messages')::bigint), 0)"
                       " FROM inbox_retentionrun")  # fmt: skip
        return (row[0] if row else None), cursor.fetchone()[0]


def _snapshot(ingest: Ingest, list_backend: int, job: subprocess.Popen) -> dict[str, float]:
    job_backend, deleted = _job_state()
    if job_backend is None and job.poll() is not None:  # ended: its backend's last reading
        job_backend = _LAST_BACKEND.get(job.pid)
    elif job_backend is not None:
        _LAST_BACKEND[job.pid] = job_backend
    return {
        "t": time.perf_counter(), "ingested": ingest.count, "deleted": deleted,
        "bench_cpu": _cpu(os.getpid()), "ingest_db_cpu": _cpu(ingest.backend),
        "list_db_cpu": _cpu(list_backend), "job_cpu": _cpu(job.pid),
        "job_db_cpu": _cpu(job_backend), "job_backend": job_backend or 0,
    }  # fmt: skip


def _window(client: Any, seconds: float, job: subprocess.Popen) -> list[float]:
    samples, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline and (job.poll() is None):
        started = time.perf_counter()
        if client.get("/api/conversations").status_code != 200:
            raise RuntimeError("a list request failed")
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _side() -> dict[str, Any]:
    return {"seconds": 0.0, "ingested": 0, "deleted": 0, "samples": [], "cpu": {}, "windows": 0}


def _add(side: dict[str, Any], before: dict, after: dict, samples: list[float]) -> None:
    side["seconds"] += after["t"] - before["t"]
    side["ingested"] += after["ingested"] - before["ingested"]
    side["deleted"] += after["deleted"] - before["deleted"]
    side["samples"] += samples
    side["windows"] += 1
    for key in ("bench_cpu", "ingest_db_cpu", "list_db_cpu", "job_cpu", "job_db_cpu"):
        backend_changed = key == "job_db_cpu" and before["job_backend"] != after["job_backend"]
        side["cpu"][key] = side["cpu"].get(key, 0.0) + (
            after[key] if backend_changed else after[key] - before[key]
        )


def _summary(side: dict[str, Any]) -> dict[str, Any]:
    seconds, requests, cpu = side["seconds"], len(side["samples"]), side["cpu"]
    ops = side["ingested"] + requests
    return {
        "windows": side["windows"], "seconds": round(seconds, 1),
        "ingest_messages_per_s": round(side["ingested"] / seconds, 1),
        "list_requests": requests, "list_ms": measure.percentiles(side["samples"]),
        "deleted_messages": side["deleted"],
        "bench_cpu_ms_per_op": round(1000 * cpu["bench_cpu"] / max(ops, 1), 2),
        "ingest_db_cpu_ms_per_message": round(
            1000 * cpu["ingest_db_cpu"] / max(side["ingested"], 1), 3),
        "list_db_cpu_ms_per_request": round(1000 * cpu["list_db_cpu"] / max(requests, 1), 3),
        "job_cpu_s": round(cpu["job_cpu"], 1), "job_db_cpu_s": round(cpu["job_db_cpu"], 1),
    }  # fmt: skip


def _client(agent_user: int) -> Any:
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(pk=agent_user))
    return client


def _start_job(team: int, batch: int, pause_ms: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": RUN_DSN, "PGAPPNAME": JOB_APP}
    return subprocess.Popen(
        [sys.executable, "manage.py", "svar_retention", "--now", "--team", str(team),
         "--batch", str(batch), "--pause", str(pause_ms / 1000)],
        cwd=measure.REPO, env=env, stdout=subprocess.PIPE,
    )  # fmt: skip


def _alternate(setup: dict[str, Any], windows: tuple[float, float], batch: int,
               pause_ms: int, max_minutes: float) -> dict:  # fmt: skip
    client, ingest = _client(setup["agent_user"]), Ingest(setup["live"])
    ingest.start()
    _window(client, 5, subprocess.Popen(["sleep", "6"]))  # warm up both loops
    job, started = _start_job(setup["team"], batch, pause_ms), time.perf_counter()
    job.send_signal(signal.SIGSTOP)
    sides, list_backend, running = {"A": _side(), "B": _side()}, _backend_pid(), False
    loads, stop_at = [], time.monotonic() + 60 * max_minutes
    while job.poll() is None and time.monotonic() < stop_at:
        job.send_signal(signal.SIGCONT if not running else signal.SIGSTOP)
        running = not running
        before = _snapshot(ingest, list_backend, job)
        samples = _window(client, windows[running], job)
        _add(sides["B" if running else "A"], before, _snapshot(ingest, list_backend, job), samples)
        loads.append(_loadavg().split()[0])
        print("B" if running else "A", _summary(sides["B" if running else "A"]), flush=True)
    finished = job.poll() is not None
    if not finished:  # the cap: the job stops here; a later run resumes it (--reuse-run)
        job.send_signal(signal.SIGKILL)
        job.wait()
    ingest.stop.set()
    ingest.join()
    return {
        "job_finished": finished,
        "job_wall_seconds": round(time.perf_counter() - started, 1),
        "job_running_seconds": round(sides["B"]["seconds"], 1),
        "job_output": job.stdout.read().decode().strip(),
        "without_job (A)": _summary(sides["A"]), "with_job (B)": _summary(sides["B"]),
        "loadavg_1min_per_window": " ".join(loads),
    }  # fmt: skip


def _loadavg() -> str:
    with open("/proc/loadavg") as f:
        return f.read().strip()


def run(args: argparse.Namespace) -> dict[str, Any]:
    os.environ["DATABASE_URL"] = args.seed
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web.settings")
    import django

    django.setup()
    from django.db import connection, connections

    setup = seed(args.seed, args.conversations, args.per)
    connections.close_all()
    clone_seconds = 0.0 if args.reuse_run else clone(args.seed, RUN_DSN)
    connection.settings_dict["NAME"] = RUN_DSN.rsplit("/", 1)[1]
    from django.utils import timezone

    from inbox.models import RetentionPolicy

    RetentionPolicy.objects.get_or_create(team_id=setup["team"], defaults={
        "days": 90, "action": "delete", "updated_at": timezone.now()})  # fmt: skip
    report = {"messages": args.conversations * args.per, "conversations": args.conversations,
              "seed_load_seconds": round(setup["load_seconds"], 1),
              "clone_seconds": round(clone_seconds, 1), "batch": args.batch,
              "pause_ms": args.pause_ms}  # fmt: skip
    windows = (args.window_a or args.window, args.window)
    report.update(_alternate(setup, windows, args.batch, args.pause_ms, args.max_minutes))
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", default=SEED_DSN, help="the seed database (loaded once)")
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--per", type=int, default=10)
    parser.add_argument("--window", type=float, default=20.0, help="seconds per B window")
    parser.add_argument("--window-a", type=float, default=None, help="seconds per A window")
    parser.add_argument("--batch", type=int, default=100, help="the job's conversations/batch")
    parser.add_argument("--pause-ms", type=int, default=100, help="the job's least pause")
    parser.add_argument(
        "--max-minutes",
        type=float,
        default=24 * 60.0,
        help="stop the job (killed: a later run resumes it) after this long",
    )
    parser.add_argument(
        "--reuse-run",
        action="store_true",
        help="no fresh copy: go on with the run database as the last run left it",
    )
    parser.add_argument("--out", default=None, help="also write the report as JSON here")
    args = parser.parse_args()
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/7")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # no access-log line per list request
    print(f"loadavg before: {_loadavg()}", flush=True)
    report = run(args)
    for key, value in report.items():
        print(f"{key}: {value}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
