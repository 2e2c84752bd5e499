"""Where a dashboard load's time goes: each section's queries, SQL time and Python time.

    python -m bench.metrics_sections [--runs 3] [--user admin] [--explain]

Runs ``/metrics/`` in-process against the metrics bench database (``BENCH_DATABASE_URL``, loaded
by ``python -m bench.metrics_dashboard``) with the page's sections run one after the other on
this thread, instead of side by side on the query pool, so that every statement of a section
is seen and timed: per section the number of statements, their time as the client sees it
(``sql_ms``), the rest of the section's time (``python_ms``: building rows, labels), and with
``--explain`` each statement's ``EXPLAIN (ANALYZE, BUFFERS)`` execution time, planning time and
JIT time. ``render_ms`` is the view's time outside the sections (charts, links, template).
``db_cpu_ms`` is the PostgreSQL backend's CPU time (from /proc, so waiting for a core on a
busy machine does not count), with parallel query off so that no worker's CPU is missed;
``python_cpu_ms`` this thread's. Medians over ``--runs`` loads after one warm-up.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/svar_metrics_bench"


class _Recorder:
    """Times every statement run on the default connection, per section."""

    def __init__(self) -> None:
        self.section = "view"
        self.statements: list[dict[str, Any]] = []

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, ctx)
        finally:
            self.statements.append(
                {
                    "section": self.section,
                    "sql": sql,
                    "params": params,
                    "ms": (time.perf_counter() - started) * 1000,
                }
            )


def _backend_cpu_ms(pid: int) -> float:
    """CPU time (user + system) a PostgreSQL backend has used: it does not grow while the
    backend waits for a core, so it is comparable between loaded and idle runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _serial_sections(recorder: _Recorder, timings: dict[str, dict[str, float]], backend: int):
    def run_all(tasks: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
        out = {}
        for name, task in tasks.items():
            recorder.section = name
            started, cpu, db_cpu = time.perf_counter(), time.thread_time(), _backend_cpu_ms(backend)
            out[name] = task()
            timings[name] = {
                "ms": (time.perf_counter() - started) * 1000,
                "python_cpu_ms": (time.thread_time() - cpu) * 1000,
                "db_cpu_ms": _backend_cpu_ms(backend) - db_cpu,
            }
        recorder.section = "view"
        return out

    return run_all


def _explain(sql: str, params: Any) -> dict[str, Any]:
    """EXPLAIN ANALYZE one statement with the settings the metrics queries run with."""
    from django.db import connection, transaction

    from inbox.metrics.selectors import SORT_MEMORY

    if not sql.lstrip(" \n(").upper().startswith("SELECT") or "set_config" in sql:
        return {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, true)", [SORT_MEMORY])
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0][0]
    jit = plan.get("JIT", {}).get("Timing", {}).get("Total", 0.0)
    return {
        "execution_ms": round(plan["Execution Time"], 2),
        "planning_ms": round(plan["Planning Time"], 2),
        "jit_ms": round(jit, 2),
        "top_node": plan["Plan"]["Node Type"],
    }


def profile(user_id: int, path: str, runs: int, *, explain: bool) -> dict[str, Any]:
    """Per section of the dashboard at ``path`` as ``user_id``: medians over ``runs`` loads."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(pk=user_id))
    # One backend for the whole profile, whose CPU time is read from /proc between sections.
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
        # Parallel workers' CPU would not show in the backend's: count it all in one process.
        cursor.execute("SET max_parallel_workers_per_gather = 0")
    loads = _serial_loads(client, path, runs, backend)
    sections = {name: _section(name, loads, explain=explain) for name in loads[0]["timings"]}
    in_sections = [sum(t["ms"] for t in load["timings"].values()) for load in loads]
    totals = [load["total"] for load in loads]
    return {
        "path": path,
        "serial_total_ms": round(statistics.median(totals), 1),
        "render_ms": round(
            statistics.median(t - s for t, s in zip(totals, in_sections, strict=True)), 1
        ),
        "statements": len(loads[0]["recorder"].statements),
        "sections_cpu_ms": round(
            sum(v["python_cpu_ms"] + v["db_cpu_ms"] for v in sections.values()), 1
        ),
        "sections_db_cpu_ms": round(sum(v["db_cpu_ms"] for v in sections.values()), 1),
        "sections": sections,
    }


def _serial_loads(client: Any, path: str, runs: int, backend: int) -> list[dict[str, Any]]:
    """``runs`` loads of the page after a warm-up, its sections run one after the other."""
    from django.db import connection

    from web.metrics import dashboard as metrics_views

    original = metrics_views.run_all
    loads: list[dict[str, Any]] = []
    try:
        for i in range(runs + 1):
            recorder = _Recorder()
            timings: dict[str, dict[str, float]] = {}
            metrics_views.run_all = _serial_sections(recorder, timings, backend)
            started = time.perf_counter()
            with connection.execute_wrapper(recorder):
                response = client.get(path)
            total = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.status_code
            if i:  # the first load warms caches and connections
                loads.append({"total": total, "timings": timings, "recorder": recorder})
    finally:
        metrics_views.run_all = original
    return loads


def _section(name: str, loads: list[dict[str, Any]], *, explain: bool) -> dict[str, Any]:
    per_load = []
    for load in loads:
        statements = [s for s in load["recorder"].statements if s["section"] == name]
        sql = sum(s["ms"] for s in statements)
        per_load.append((load["timings"][name], sql, len(statements)))
    figures: dict[str, Any] = {
        "ms": round(statistics.median(t["ms"] for t, _, _ in per_load), 1),
        "sql_ms": round(statistics.median(s for _, s, _ in per_load), 1),
        "python_ms": round(statistics.median(t["ms"] - s for t, s, _ in per_load), 1),
        "python_cpu_ms": round(statistics.median(t["python_cpu_ms"] for t, _, _ in per_load), 1),
        "db_cpu_ms": round(statistics.median(t["db_cpu_ms"] for t, _, _ in per_load), 1),
        "statements": per_load[0][2],
    }
    if explain:
        last = loads[-1]["recorder"].statements
        plans = [_explain(s["sql"], s["params"]) for s in last if s["section"] == name]
        plans = [p for p in plans if p]
        figures["explain"] = {
            key: round(sum(p[key] for p in plans), 2)
            for key in ("execution_ms", "planning_ms", "jit_ms")
        }
        figures["plans"] = plans
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--user", default="admin", help="admin (all teams) or manager (one)")
    parser.add_argument("--path", default="/metrics/")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    os.environ.update(
        {
            "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User

    user_id = User.objects.get(username=args.user).pk
    result = profile(user_id, args.path, args.runs, explain=args.explain)
    result["load_average_1_5_15_min"] = [round(v, 2) for v in os.getloadavg()]
    print(json.dumps(result, indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
