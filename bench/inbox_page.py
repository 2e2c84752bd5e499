"""Benchmark of the agent's inbox page (``GET /``, the first screen) over real HTTP.

    python -m bench.inbox_page [--conversations 50000] [--requests 300]

Loads the bench database set-based (``bench.dataset``) with ``--conversations`` conversations,
all open, unless it already holds exactly that; logs in through the real login form, then
times the inbox page's views through uvicorn (latency on the loopback is the server time plus
well under a millisecond) and counts the SQL queries one render makes (in process, same code).
Writes ``bench/results/inbox_page.json``. It measures only; it asserts nothing about timings.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import psycopg

from bench import dataset, measure

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/svar_bench_inbox_page"
DEFAULT_REDIS = "redis://127.0.0.1:6379/7"
RESULTS = measure.REPO / "bench" / "results" / "inbox_page.json"
PASSWORD = "bench-inbox-page"
# (label, who, query string): who is "admin" (every team: all 50,000) or "agent" (one team).
CASES = (
    ("all open (admin, every team)", "admin", "?view=open"),
    ("all open (agent, one team)", "agent", "?view=open"),
    ("mine", "agent", "?view=mine"),
    ("unassigned", "agent", "?view=unassigned"),
    ("platform=x", "agent", "?view=open&platform=x"),
    ("tag=klage", "agent", "?view=open&tag=klage"),
    ("search: mitid", "agent", "?view=open&q=mitid"),
    ("with a conversation open", "agent", "conversation"),
)


def _environment(dsn: str, redis_url: str) -> dict[str, str]:
    return {"DATABASE_URL": dsn, "REDIS_URL": redis_url, "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "web.settings", "LOG_LEVEL": "WARNING"}  # fmt: skip


def _ensure_database(dsn: str) -> None:
    info = psycopg.conninfo.conninfo_to_dict(dsn)
    name = info.pop("dbname")
    with psycopg.connect(psycopg.conninfo.make_conninfo(**info, dbname="postgres")) as conn:
        conn.autocommit = True
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _prepare(dsn: str, env: dict[str, str], conversations: int) -> dict[str, Any]:
    _ensure_database(dsn)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                   cwd=measure.REPO, env={**os.environ, **env}, check=True)  # fmt: skip
    loaded = None
    with psycopg.connect(dsn) as conn:
        counts = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'open') FROM inbox_conversation"
        ).fetchone()
    if counts != (conversations, conversations):
        print(f"loading {conversations:,} open conversations …", flush=True)
        _default_new_columns(dsn)
        loaded = dataset.load(dsn, conversations)
        with psycopg.connect(dsn, autocommit=True) as conn:
            # Every one open: the inbox's busiest shape. Waiting customers keep their times.
            conn.execute("UPDATE inbox_conversation SET status = 'open', resolved_at = NULL")
            conn.execute("VACUUM ANALYZE inbox_conversation")
    return {"conversations_open": conversations, "load_seconds": loaded}


def _default_new_columns(dsn: str) -> None:
    """Columns added after ``bench.dataset`` was written are NOT NULL without a database
    default (Django drops it after AddField); give them one here, in the bench database only,
    so the set-based INSERTs that do not name them still load."""
    defaults = {"integer": "0", "bigint": "0", "smallint": "0", "text": "''",
                "character varying": "''", "boolean": "false", "jsonb": "'{}'"}  # fmt: skip
    with psycopg.connect(dsn, autocommit=True) as conn:
        columns = conn.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name LIKE 'inbox\\_%%'"
            " AND is_nullable = 'NO' AND column_default IS NULL AND column_name <> 'id'"
        ).fetchall()
        for table, column, data_type in columns:
            if data_type in defaults:
                conn.execute(
                    f'ALTER TABLE "{table}" ALTER COLUMN "{column}"'
                    f" SET DEFAULT {defaults[data_type]}"
                )


def _users() -> dict[str, str]:
    """Give the bench's admin and one-team agent a password to log in with."""
    from django.contrib.auth.models import User

    names = {"admin": dataset.ADMIN_USERNAME, "agent": dataset.BENCH_AGENT_USERNAME}
    for name in names.values():
        user = User.objects.get(username=name)
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return names


def _conversation_path(username: str) -> str:
    from django.contrib.auth.models import User

    from inbox.permissions.access import conversations_visible_to

    user = User.objects.get(username=username)
    conversation = conversations_visible_to(user).order_by("-last_message_at", "-id").first()
    return f"/conversations/{conversation.pk}/"


def _login(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30, trust_env=False)
    page = client.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    answer = client.post(
        "/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/login/"},
    )
    if answer.status_code != 302:
        raise RuntimeError(f"login of {username} failed: {answer.status_code}")
    return client


def _in_process(username: str, path: str, requests: int) -> dict[str, Any]:
    """Server time proper: the same request handled in this process (middleware, view, SQL,
    template), without the network and the ASGI server; plus the SQL one render makes."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.defaults["HTTP_HOST"] = "127.0.0.1"
    client.force_login(User.objects.get(username=username))
    for _ in range(10):
        client.get(path)  # warm
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    # Session and user lookups are part of every page; counted too.
    return {
        "server_ms": measure.percentiles(samples),
        "sql_queries": len(queries),
        "sql_ms": round(sum(float(q["time"]) for q in queries.captured_queries) * 1000, 2),
    }


def _time(client: httpx.Client, path: str, requests: int) -> tuple[list[float], int]:
    for _ in range(10):  # warm-up: connections, template cache
        client.get(path)
    samples = []
    size = 0
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.headers.get('location')}")
        size = len(response.content)
    return samples, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DSN))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--conversations", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    env = _environment(args.dsn, args.redis)
    data = _prepare(args.dsn, env, args.conversations)
    os.environ.update(env)
    import django

    django.setup()
    names = _users()
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    probe = Token.objects.get_or_create(user=User.objects.get(username=names["agent"]))[0].key
    results = []
    with measure.uvicorn_server(env, workers=1, probe_token=probe) as server:
        clients = {who: _login(server.base, name) for who, name in names.items()}
        for label, who, query in CASES:
            path = _conversation_path(names[who]) if query == "conversation" else f"/{query}"
            samples, size = _time(clients[who], path, args.requests)
            server = _in_process(names[who], path, args.requests)
            row = {"case": label, "path": path, "requests": len(samples),
                   "http_ms": measure.percentiles(samples), **server,
                   "html_bytes": size}  # fmt: skip
            results.append(row)
            http, own = row["http_ms"], row["server_ms"]
            print(f"{label:30} server p50 {own['p50']:6.1f} p95 {own['p95']:6.1f} "
                  f"p99 {own['p99']:6.1f} | http p50 {http['p50']:6.1f} p95 {http['p95']:6.1f} "
                  f"p99 {http['p99']:6.1f} ms | {row['sql_queries']} queries "
                  f"({row['sql_ms']} ms)")  # fmt: skip
            load = os.getloadavg()
            row["load_average_1m"] = round(load[0], 2)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "inbox page (GET /, first screen: 50 rows), server time over real HTTP",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
        "data": data,
        "note": "server_ms: the request handled in process (middleware, view, SQL, template); "
        "http_ms: through uvicorn over loopback. The machine is shared: see load_average_1m.",
        "budget_ms": 300,
        "cases": results,
    }, indent=2, ensure_ascii=False) + "\n")  # fmt: skip
    print(f"written to {RESULTS.relative_to(measure.REPO)}")


if __name__ == "__main__":
    main()
