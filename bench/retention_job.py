"""Benchmark of the retention job while ingest and the conversation list run (issue #19).

    python -m bench.retention_job [--conversations 20000] [--per 10] [--seconds 20] [--pause 0]

Creates its own database (``--dsn``, dropped and re-created, migrated), loads N resolved
conversations of a year ago with ``per`` messages each (set-based SQL), and a 90-day delete
policy. Then, in the same run: (1) ``--seconds`` of ingest (``messages_ingest`` batches of 50
new customer messages, in this process) and list requests (``GET /api/conversations`` through
Django's test client: view, serializer and SQL, no HTTP) without the job; (2) the same while
``manage.py svar_retention --now`` runs in its own process, until it ends. Prints the job's
duration and both sides' figures. It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from typing import Any

import psycopg

from bench import measure

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/svar_h19a_bench"

_LOAD_SQL = """
INSERT INTO inbox_contact (platform, external_id, name, handle, created_at, updated_at)
SELECT 'x', 'c' || g, 'Kunde ' || g, 'kunde' || g, now(), now() FROM generate_series(1, %(n)s) g;
INSERT INTO inbox_conversation (account_id, contact_id, kind, external_thread_id, team_id,
  status, opened_at, resolved_at, last_message_at, snippet, version, created_at, legal_hold)
SELECT %(account)s, c.id, 'public', 't' || c.external_id, %(team)s, 'resolved',
  now() - interval '400 days', now() - interval '399 days', now() - interval '399 days',
  'Hej', 1, now(), false
FROM inbox_contact c WHERE c.external_id LIKE 'c%%';
INSERT INTO inbox_message (conversation_id, account_id, direction, external_id, body,
  signature, text, author_contact_id, in_reply_to_external_id, platform_time, received_at,
  delivery_state, delivery_error, delivery_attempts)
SELECT v.id, %(account)s, 'in', v.id || '-' || k, 'Besked ' || k, '', 'Besked ' || k,
  v.contact_id, '', v.opened_at + k * interval '1 minute', v.opened_at, 'received', '', 0
FROM inbox_conversation v, generate_series(1, %(per)s) k;
"""


def _django(dsn: str) -> None:
    os.environ["DATABASE_URL"] = dsn
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web.settings")
    import django

    django.setup()


def _prepare(dsn: str, conversations: int, per: int) -> dict[str, Any]:
    admin_dsn = dsn.rsplit("/", 1)[0] + "/postgres"
    name = dsn.rsplit("/", 1)[1]
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    _django(dsn)
    from django.core.management import call_command
    from django.utils import timezone

    from inbox.models import RetentionPolicy
    from inbox.permissions.roles import Role
    from tests.factories import AgentFactory, ChannelAccountFactory

    call_command("migrate", verbosity=0)
    account = ChannelAccountFactory()
    live = ChannelAccountFactory(team=account.team)  # ingest goes here during the run
    agent = AgentFactory(teams=[account.team], role=Role.AGENT)
    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        params = {"n": conversations, "per": per, "account": account.pk, "team": account.team_id}
        for statement in filter(str.strip, _LOAD_SQL.split(";\n")):
            conn.execute(statement, params)
        conn.execute("VACUUM ANALYZE")
    load = time.perf_counter() - started
    RetentionPolicy.objects.create(team=account.team, days=90, action="delete",
                                   updated_at=timezone.now())  # fmt: skip
    return {"team": account.team_id, "live": live.pk, "agent": agent, "load_seconds": load}


def _ingest_loop(account_id: int, stop: threading.Event, out: dict[str, float]) -> None:
    from django.db import connection

    from inbox.services import messages_ingest
    from tests.factories import inbound

    count, started, n = 0, time.perf_counter(), 0
    while not stop.is_set():
        batch = [inbound(thread=f"live-{n}-{i}", author=f"live-{n}-{i}") for i in range(50)]
        messages_ingest(account_id=account_id, messages=batch)
        count, n = count + len(batch), n + 1
    out["messages_per_s"] = count / (time.perf_counter() - started)
    connection.close()


def _phase(setup: dict[str, Any], until: Any) -> dict[str, Any]:
    """Ingest in a thread and list requests here until ``until()`` is true."""
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    from django.contrib.auth.models import User

    client.force_login(User.objects.get(pk=setup["agent"].user_id))  # the stored hash
    stop, ingest = threading.Event(), {}
    thread = threading.Thread(target=_ingest_loop, args=(setup["live"], stop, ingest))
    thread.start()
    samples, errors = [], 0
    while not until():
        started = time.perf_counter()
        errors += client.get("/api/conversations").status_code != 200
        samples.append((time.perf_counter() - started) * 1000)
    stop.set()
    thread.join()
    return {
        "ingest_messages_per_s": round(ingest["messages_per_s"], 1),
        "list_requests": len(samples),
        "list_errors": errors,
        "list_ms": measure.percentiles(samples),
    }


def run(dsn: str, conversations: int, per: int, seconds: float, pause: float) -> dict[str, Any]:
    setup = _prepare(dsn, conversations, per)
    deadline = time.monotonic() + seconds
    without = _phase(setup, lambda: time.monotonic() > deadline)
    job = subprocess.Popen(
        [sys.executable, "manage.py", "svar_retention", "--now", "--team", str(setup["team"]),
         "--pause", str(pause)],
        cwd=measure.REPO, env={**os.environ, "DATABASE_URL": dsn}, stdout=subprocess.PIPE,
    )  # fmt: skip
    started = time.perf_counter()
    during = _phase(setup, lambda: job.poll() is not None)
    duration = time.perf_counter() - started
    return {
        "messages": conversations * per, "conversations": conversations,
        "load_seconds": round(setup["load_seconds"], 1), "job_seconds": round(duration, 1),
        "job_output": job.stdout.read().decode().strip(), "without_job": without,
        "with_job": during, "loadavg": _loadavg(),
    }  # fmt: skip


def _loadavg() -> str:
    with open("/proc/loadavg") as f:
        return f.read().strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default=DEFAULT_DSN)
    parser.add_argument("--conversations", type=int, default=20_000)
    parser.add_argument("--per", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--pause", type=float, default=0.0, help="the job's pause per batch")
    args = parser.parse_args()
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/5")
    print(f"loadavg before: {_loadavg()}")
    report = run(args.dsn, args.conversations, args.per, args.seconds, args.pause)
    for key, value in report.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
