"""Benchmark: the managers' dashboard and every metrics API at 1,000,000 messages.

    python -m bench.metrics_dashboard [--reload] [--runs 15]

Creates (or reuses) the database ``svar_metrics_bench`` on the machine's PostgreSQL
(``BENCH_DATABASE_URL``, default postgresql://postgres@127.0.0.1:5432/svar_metrics_bench),
loads it (bench/metrics_data.py), starts Svar under uvicorn and measures over real HTTP, logged
in: the dashboard's full load (the HTML, every figure computed server-side, plus its
stylesheets), each metrics API, and the raw ``percentile_cont`` query on the same data in the
same run; then, per user, where the page's time goes (bench/metrics_sections.py: statements,
PostgreSQL and Python CPU time per section). Writes bench/results/metrics_dashboard.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "metrics_dashboard.json"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/svar_metrics_bench"
TARGET_MS = 500


def log(message: str) -> None:
    print(f"[metrics bench] {message}", flush=True)  # noqa: T201


def _ensure_database(url: str, *, reload: bool) -> bool:
    """Create the bench database if needed; True when it must be (re)loaded."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reload:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            return True
    with psycopg.connect(url) as conn:
        loaded = conn.execute(
            "SELECT to_regclass('inbox_message') IS NOT NULL"
            " AND EXISTS (SELECT 1 FROM inbox_responseinterval)"
        ).fetchone()[0]
    return not loaded


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def uvicorn(env: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "web.asgi:application", "--host", "127.0.0.1",
               "--port", str(port), "--lifespan", "off", "--no-access-log",
               "--log-level", "warning"]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO, env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not answer /healthz within 30 s")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1),
        "min_ms": round(ordered[0], 1),
        "max_ms": round(ordered[-1], 1),
        "runs": len(ordered),
    }


def _timed(call: Callable[[], None], runs: int, warmup: int = 2) -> dict[str, float]:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return _stats(samples)


def _session_cookie(user_id: int) -> str:
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    return client.cookies["sessionid"].value


def _full_load(client: Any, base: str, path: str) -> Callable[[], None]:
    """The HTML page and every stylesheet it links, as a browser's first load fetches them."""

    def load() -> None:
        page = client.get(f"{base}{path}")
        assert page.status_code == 200, (path, page.status_code, page.text[:300])
        for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text):
            assert client.get(f"{base}{href}").status_code == 200

    return load


APIS = {
    "summary": "summary",
    "breakdown_agent": "breakdown?by=agent",
    "breakdown_account": "breakdown?by=account",
    "breakdown_platform": "breakdown?by=platform",
    "breakdown_team": "breakdown?by=team",
    "breakdown_tag": "breakdown?by=tag",
    "series_day": "series?bucket=day",
    "series_hour": "series?bucket=hour",
    "series_week_reply": "series?bucket=week&kind=reply",
    "distribution": "distribution",
    "heatmap": "heatmap",
    "sla": "sla",
    "sla_at_risk": "sla/at-risk",
    "intervals_breached": "intervals?kind=reply&breached=1&limit=200",
    "summary_business_90_days": "summary?clock=business&from={from90}",
}

RAW_SQL = """
SELECT kind, count(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY calendar_seconds),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY calendar_seconds),
       avg(calendar_seconds)
  FROM inbox_responseinterval
 WHERE team_id = ANY(%s) AND ended_at >= now() - interval '28 days'
   AND ended_by IN ('agent', 'native', 'resolved')
 GROUP BY kind
"""


def _raw_query(url: str, team_ids: list[int], runs: int) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(url) as conn:
        result = _timed(lambda: conn.execute(RAW_SQL, [team_ids]).fetchall(), runs)
        plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + RAW_SQL, [team_ids]).fetchall()
    return {**result, "sql": " ".join(RAW_SQL.split()), "plan": [r[0] for r in plan]}


def _counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        out = {}
        for table in ("inbox_message", "inbox_conversation", "inbox_responseinterval"):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            out[table] = cursor.fetchone()[0]
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reload", action="store_true", help="drop and load the data again")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    must_load = _ensure_database(url, reload=args.reload)
    env = {"DATABASE_URL": url, "REDIS_URL": os.environ.get("BENCH_REDIS_URL",
           "redis://127.0.0.1:6379/9"), "DEBUG": "0", "LOG_LEVEL": "WARNING"}  # fmt: skip
    _setup_django(env)
    from django.contrib.auth.models import User

    from bench import metrics_data

    load_timings: dict[str, Any] = {}
    if must_load:
        log("loading 1,000,000 messages (a few minutes)")
        load_timings = metrics_data.load(log)["load"]
    from inbox.models import Agent, Team

    manager_id = User.objects.get(username="manager").pk
    manager_teams = list(Agent.objects.get(user_id=manager_id).teams.values_list("pk", flat=True))
    users = {  # scenario: the user, and the teams the raw query covers for the same figures
        "manager_one_team": (manager_id, manager_teams),
        "admin_all_teams": (
            User.objects.get(username="admin").pk,
            list(Team.objects.values_list("pk", flat=True)),
        ),
    }
    counts = _counts()
    log(f"data: {counts}")
    recompute = _schedule_change(team_id=manager_teams[0])
    results: dict[str, Any] = {"scenarios": _over_http(env, url, users, args.runs)}
    _add_sections(results["scenarios"], users)
    results.update(
        {
            "what": "Dashboard full load and metrics APIs over real HTTP (uvicorn, logged in), "
            "beside the raw percentile_cont query, same data, same run",
            "target_ms": TARGET_MS,
            "counts": counts,
            "load": load_timings or "reused an already loaded database",
            "schedule_change_recompute": recompute,
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                # Other work on the machine during the run inflates every figure alike.
                "load_average_1_5_15_min": [round(v, 2) for v in os.getloadavg()],
            },
            "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    log(f"wrote {RESULTS.relative_to(REPO)}")


def _setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web.settings")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=REPO, check=True)
    import django

    django.setup()


def _schedule_change(team_id: int) -> dict[str, Any]:
    """Recompute one team's business seconds, as a schedule change does; then VACUUM."""
    from django.db import connection

    from inbox.metrics.rebuild import business_seconds_recompute

    started = time.perf_counter()
    recomputed = business_seconds_recompute(team_id=team_id)
    recompute = {
        "intervals": recomputed,
        "seconds": round(time.perf_counter() - started, 2),
        "what": "business_seconds_recompute of one team, as a schedule change runs it",
    }
    log(f"schedule change: {recomputed} intervals recomputed in {recompute['seconds']} s")
    with connection.cursor() as cursor:  # as autovacuum soon would: index-only scans again
        cursor.execute("VACUUM ANALYZE inbox_responseinterval")
    return recompute


def _over_http(
    env: dict[str, str], url: str, users: dict[str, tuple[int, list[int]]], runs: int
) -> dict[str, dict[str, Any]]:
    from90 = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=89)).isoformat()
    scenarios: dict[str, dict[str, Any]] = {}
    with uvicorn(env) as base:
        for scenario, (user_id, teams) in users.items():
            load_before = [round(v, 2) for v in os.getloadavg()]
            figures = _scenario(base, user_id, from90, runs)
            figures["raw_percentile_cont_28_days"] = _raw_query(url, teams, runs)
            # Other work on the machine inflates every figure of the scenario alike.
            figures["load_average_before_after"] = [
                load_before,
                [round(v, 2) for v in os.getloadavg()],
            ]
            scenarios[scenario] = figures
            log(
                f"{scenario}: dashboard median "
                f"{figures['dashboard_full_load']['median_ms']} ms, raw query median "
                f"{figures['raw_percentile_cont_28_days']['median_ms']} ms"
            )
    return scenarios


def _scenario(base: str, user_id: int, from90: str, runs: int) -> dict[str, Any]:
    import httpx

    cookies = {"sessionid": _session_cookie(user_id)}
    with httpx.Client(cookies=cookies, timeout=60) as client:
        figures: dict[str, Any] = {
            "dashboard_full_load": _timed(_full_load(client, base, "/metrics/"), runs),
            "dashboard_full_load_90_days": _timed(
                _full_load(client, base, f"/metrics/?from={from90}"), runs
            ),
        }
        for name, path in APIS.items():

            def call(path: str = path.format(from90=from90)) -> None:
                response = client.get(f"{base}/api/metrics/{path}")
                assert response.status_code == 200, (path, response.text[:300])

            figures[f"api_{name}"] = _timed(call, runs)
    return figures


def _add_sections(
    scenarios: dict[str, dict[str, Any]], users: dict[str, tuple[int, list[int]]]
) -> None:
    from bench import metrics_sections

    for scenario, (user_id, _teams) in users.items():
        # Where the page's time goes: each section run alone, CPU from /proc (see the module).
        sections = metrics_sections.profile(user_id, "/metrics/", runs=3, explain=True)
        scenarios[scenario]["dashboard_sections"] = sections
        log(
            f"{scenario}: sections' CPU {sections['sections_cpu_ms']} ms (PostgreSQL "
            f"{sections['sections_db_cpu_ms']} ms), {sections['statements']} statements"
        )


if __name__ == "__main__":
    main()
