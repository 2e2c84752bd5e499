"""Benchmark of ``GET /api/conversations`` over real HTTP beside its raw keyset SQL.

    python -m bench.conversations_list [--conversations 1000000] [--requests 500]

Loads the bench database (set-based, see ``bench.dataset``) unless it already holds the
requested number of conversations, starts uvicorn, and for each case reports the client-side
HTTP latency next to the latency of the same list query run directly with psycopg. It
measures only; it asserts nothing about timings.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg

from bench import dataset, measure

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/svar_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
RESULTS = measure.REPO / "bench" / "results" / "conversations_list.json"
DEEP_PAGE = 20
SERIAL = "-c max_parallel_workers_per_gather=0"  # the plan without parallel workers


@dataclass
class Case:
    name: str
    who: str  # "agent" (one team), "multi" (two teams) or "admin" (every team)
    params: dict[str, str] = field(default_factory=dict)
    deep_page: bool = False  # follow next_cursor to page DEEP_PAGE first
    statements: list[str] = field(default_factory=list)  # every SQL query of one request
    list_sql: str = ""


def cases() -> list[Case]:
    return [
        Case("default (agent, recent)", "agent"),
        Case("status=open", "agent", {"status": "open"}),
        Case("assignee=me", "agent", {"assignee": "me"}),
        Case("mine: open,pending", "agent", {"assignee": "me", "status": "open,pending"}),
        Case("status=open,pending", "agent", {"status": "open,pending"}),
        Case("unassigned&status=open", "agent", {"assignee": "unassigned", "status": "open"}),
        Case("order=waiting&status=open", "agent", {"order": "waiting", "status": "open"}),
        Case("tag=klage", "agent", {"tag": "klage"}),
        Case("q=mitid", "agent", {"q": "mitid"}),
        Case("q=mette jensen", "agent", {"q": "mette jensen"}),
        Case("q=xyzzy (no match)", "agent", {"q": "xyzzy"}),
        Case("tag=klage&status=open", "agent", {"tag": "klage", "status": "open"}),
        Case("platform=x", "agent", {"platform": "x"}),
        Case(f"page {DEEP_PAGE} (next_cursor)", "agent", deep_page=True),
        Case("admin: all teams", "admin"),
        Case("admin: order=waiting&status=open", "admin", {"order": "waiting", "status": "open"}),
        Case("2 teams: default", "multi"),
        Case("2 teams: status=open", "multi", {"status": "open"}),
        Case("2 teams: order=waiting&status=open", "multi", {"order": "waiting", "status": "open"}),
    ]  # fmt: skip


def _environment(dsn: str, redis_url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": dsn,
        "REDIS_URL": redis_url,
        "DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "web.settings",
    }


def _ensure_database(dsn: str) -> None:
    info = psycopg.conninfo.conninfo_to_dict(dsn)
    name = info.pop("dbname")
    with psycopg.connect(psycopg.conninfo.make_conninfo(**info, dbname="postgres")) as conn:
        conn.autocommit = True
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=measure.REPO,
        env={**os.environ, **env},
        check=True,
    )


def _prepare_data(dsn: str, conversations: int) -> dict[str, Any]:
    present = dataset.conversation_count(dsn)
    if present != conversations:
        print(f"loading {conversations:,} conversations (found {present:,}) …", flush=True)
        seconds = dataset.load(dsn, conversations)
        print(f"loaded in {seconds:.1f} s (incl. index builds and VACUUM ANALYZE)", flush=True)
        return {"load_seconds": round(seconds, 1), "loaded_in_this_run": True}
    previous = dataset.last_load(dsn)
    seconds = round(previous[0], 1) if previous else None
    when = previous[1] if previous else "?"
    print(f"reusing {present:,} conversations (loaded in {seconds} s at {when})")
    return {"load_seconds": seconds, "loaded_in_this_run": False}


def _tokens() -> dict[str, str]:
    """DRF tokens of the bench agent (one team), a two-team agent and an admin."""
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    usernames = {
        "agent": dataset.BENCH_AGENT_USERNAME,
        "multi": dataset.MULTI_TEAM_AGENT_USERNAME,
        "admin": dataset.ADMIN_USERNAME,
    }
    return {
        who: Token.objects.get_or_create(user=User.objects.get(username=name))[0].key
        for who, name in usernames.items()
    }


def _in_process_get(token: str, params: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """One request through Django in this process; its JSON body and every SQL it ran."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/conversations", params)
    if response.status_code != 200:
        raise RuntimeError(f"{params}: HTTP {response.status_code} {response.content[:200]!r}")
    return response.json(), [q["sql"] for q in captured.captured_queries]


def _resolve(case: Case, tokens: dict[str, str]) -> None:
    """Fix the case's parameters (a deep cursor) and capture the SQL one request issues."""
    token = tokens[case.who]
    if case.deep_page:
        for _ in range(DEEP_PAGE - 1):
            body, _ = _in_process_get(token, case.params)
            case.params = {**case.params, "cursor": body["next_cursor"]}
    _, case.statements = _in_process_get(token, case.params)
    case.list_sql = next(
        sql for sql in case.statements if 'FROM "inbox_conversation"' in sql and "ORDER BY" in sql
    )


def _explain_all(dsn: str, all_cases: list[Case]) -> dict[str, dict[str, Any]]:
    plans = {}
    print("\nEXPLAIN (ANALYZE, BUFFERS) of each list query")
    for case in all_cases:
        plan = measure.explain(dsn, case.list_sql)
        plan["flags"] += measure.sql_flags(case.statements)
        plans[case.name] = plan
        print(f"\n-- {case.name}: execution {plan['execution_ms']} ms")
        for line in plan["plan"]:
            print(f"   {line}")
        for flag in plan["flags"]:
            print(f"   !! {flag}")
    return plans


def _time_sql(dsn: str, all_cases: list[Case], requests: int) -> dict[str, dict[str, Any]]:
    figures = {}
    for case in all_cases:
        list_only = measure.time_sql(dsn, [case.list_sql], requests, warmup=20)
        serial = measure.time_sql(dsn, [case.list_sql], requests, 20, options=SERIAL)
        every = measure.time_sql(dsn, case.statements, requests // 2, warmup=10)
        figures[case.name] = {
            "list_query": measure.percentiles(list_only),
            "list_query_no_parallel": measure.percentiles(serial),
            "all_queries": measure.percentiles(every),
            "queries_per_request": len(case.statements),
        }
    return figures


@dataclass(frozen=True)
class Variant:
    settings: str  # DJANGO_SETTINGS_MODULE of the server
    workers: int  # uvicorn worker processes; as many clients send requests at the same time

    @property
    def label(self) -> str:
        return f"{self.settings} workers={self.workers}"


def _variants(spec: str) -> list[Variant]:
    variants = []
    for item in spec.split(","):
        settings, _, workers = item.strip().partition(":")
        variants.append(Variant(settings, int(workers or 1)))
    return variants


def _time_http(
    env: dict[str, str],
    variant: Variant,
    all_cases: list[Case],
    tokens: dict[str, str],
    requests: int,
) -> dict[str, Any]:
    figures: dict[str, Any] = {"load_average_before": os.getloadavg()}
    server_env = {**env, "DJANGO_SETTINGS_MODULE": variant.settings}
    with measure.uvicorn_server(server_env, variant.workers, tokens["agent"]) as server:
        sessions = _sessions(env["DATABASE_URL"])
        for case in all_cases:
            cpu_before = server.cpu_seconds()
            samples, errors = measure.time_http(
                server.base, tokens[case.who], case.params, requests, 50, clients=variant.workers
            )
            figures[case.name] = {**measure.percentiles(samples), "errors": errors}
            cpu = (server.cpu_seconds() - cpu_before) * 1000 / (requests + 50)
            figures[case.name]["server_cpu_per_request"] = round(cpu, 2)
            print(f"  {case.name}: {figures[case.name]}", flush=True)
        opened = _sessions(env["DATABASE_URL"]) - sessions - 1
    figures["load_average_after"] = os.getloadavg()
    # pg_stat_database.sessions counts every connection ever opened to the database.
    figures["db_connections_opened"] = opened
    figures["http_requests"] = len(all_cases) * (requests + 50)
    return figures


def _sessions(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()[0]


def _table(all_cases: list[Case], http: dict[str, dict], sql: dict[str, dict]) -> str:
    head = (
        f"{'case':36} {'HTTP p50':>8} {'p95':>6} {'p99':>6} {'max':>6} │ "
        f"{'SQL p50':>7} {'p95':>6} {'p99':>6} │ {'serial p95':>10} │ {'queries':>7} "
        f"{'CPU/req':>7} {'errors':>6}"
    )
    lines = []
    for label, figures in http.items():
        lines += [
            f"\n{label} (ms; SQL = the list query alone via psycopg, serial = without"
            " parallel workers; CPU/req = server process CPU ms per request;"
            f" {figures['db_connections_opened']} DB connections opened"
            f" for {figures['http_requests']} requests)",
            head,
        ]
        for case in all_cases:
            h, s = figures[case.name], sql[case.name]
            q, serial = s["list_query"], s["list_query_no_parallel"]
            lines.append(
                f"{case.name:36} {h['p50']:8.2f} {h['p95']:6.2f} {h['p99']:6.2f} {h['max']:6.1f} │ "
                f"{q['p50']:7.2f} {q['p95']:6.2f} {q['p99']:6.2f} │ {serial['p95']:10.2f} │ "
                f"{s['queries_per_request']:7d} {h['server_cpu_per_request']:7.2f} {h['errors']:6d}"
            )
    return "\n".join(lines)


def _postgres_version(dsn: str) -> str:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=500, help="timed requests per case")
    parser.add_argument(
        "--variants",
        default="web.settings:1,web.settings:2",
        help="server settings module:uvicorn workers, comma-separated",
    )
    parser.add_argument("--dsn", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DSN))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    env = _environment(args.dsn, args.redis)
    _ensure_database(args.dsn)
    _migrate(env)
    load = _prepare_data(args.dsn, args.conversations)

    os.environ.update(env)  # this process captures the SQL through the same settings
    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # Django's root logger says INFO
    tokens = _tokens()
    all_cases = cases()
    for case in all_cases:
        _resolve(case, tokens)

    plans = _explain_all(args.dsn, all_cases)
    print("\ntiming raw SQL …", flush=True)
    sql = _time_sql(args.dsn, all_cases, args.requests)
    http = {}
    for variant in _variants(args.variants):
        print(f"timing HTTP, {variant.label} …", flush=True)
        http[variant.label] = _time_http(env, variant, all_cases, tokens, args.requests)
        _write_results(args, load, all_cases, http, sql, plans)  # keep what is done so far

    print(_table(all_cases, http, sql))


def _write_results(
    args: argparse.Namespace,
    load: dict[str, Any],
    all_cases: list[Case],
    http: dict[str, dict],
    sql: dict[str, dict],
    plans: dict[str, dict],
) -> None:
    document = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "postgres": _postgres_version(args.dsn),
        },
        "conversations": args.conversations,
        "requests_per_case": args.requests,
        **load,
        "target_ms": {"p95": 25, "p99": 50},
        "servers": {
            label: {k: v for k, v in figures.items() if k not in {c.name for c in all_cases}}
            for label, figures in http.items()
        },
        "cases": {
            case.name: {
                "params": {k: v for k, v in case.params.items() if k != "cursor"},
                "user": case.who,
                "http_ms": {label: figures[case.name] for label, figures in http.items()},
                "sql_ms": sql[case.name],
                "explain": plans[case.name],
                "statements": case.statements,
            }
            for case in all_cases
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {RESULTS.relative_to(measure.REPO)}")


if __name__ == "__main__":
    main()
