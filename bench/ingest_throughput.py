"""Benchmark of ingest: messages/s from the simulated platforms into PostgreSQL and the event log.

    python -m bench.ingest_throughput [--messages 20000] [--workers 2] [--accounts 4]

1. End to end: N customer messages (X mentions and DMs, Facebook comments and Messenger; many
   threads, some follow-ups) wait in the simulator, served over real HTTP from this process.
   W real ``manage.py svar_worker`` processes poll the accounts; the clock runs from the moment
   the first polls are queued until every message is stored (its ``InboxEvent`` is written in
   the same transaction). Per-poll fetch and store times come from the workers' poll log lines.
2. The ingest service alone: ``inbox.services.messages_ingest`` called in this process with
   prebuilt DTO batches of the same messages: what the database transaction costs without
   HTTP, JSON parsing and RQ.
3. Raw baseline: a bulk ``INSERT … ON CONFLICT DO NOTHING`` of the same N rows with psycopg,
   one transaction per batch, into a scratch copy of the message table (same columns, indexes
   and unique constraint; no foreign keys).

Uses its own database (``--dsn``, dropped and re-created) and Redis database (``--redis``).
It measures and reports; it asserts nothing. Results: bench/results/ingest_throughput.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import signal
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from bench import ingest_workload
from bench.ingest_workload import Item, Workload

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "ingest_throughput.json"
LOGS = Path("/tmp/svar-bench-ingest")
DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/svar_ingest_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/10"
TEAMS = ("Skat", "Motorstyrelsen")
DRAIN_TIMEOUT = 900  # seconds; a run that has not finished by then reports what it stored
POLL_LINE = re.compile(
    r"account (\d+): poll fetched (\d+) item\(s\) in ([\d.]+) ms, stored (\d+) in ([\d.]+) ms"
)
MESSAGE_COLUMNS = (
    "conversation_id", "account_id", "direction", "external_id", "body", "signature", "text",
    "author_contact_id", "in_reply_to_external_id", "platform_time", "received_at",
    "delivery_state", "delivery_error", "delivery_attempts",
)  # fmt: skip


# --- set-up ------------------------------------------------------------------------------------


def _recreate_database(dsn: str) -> None:
    info = psycopg.conninfo.conninfo_to_dict(dsn)
    name = info.pop("dbname")
    with psycopg.connect(psycopg.conninfo.make_conninfo(**info, dbname="postgres")) as conn:
        conn.autocommit = True
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _worker_env(dsn: str, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": dsn,
        "REDIS_URL": redis_url,
        "DEBUG": "0",  # DEBUG keeps every query in memory: not what production runs
        "LOG_LEVEL": "INFO",
        "SVAR_CHANNEL_PREFIX": "svar-bench-ingest",
        "DJANGO_SETTINGS_MODULE": "web.settings",
    }


def _setup_django(dsn: str, redis_url: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=REPO, env=_worker_env(dsn, redis_url), check=True,
    )  # fmt: skip
    os.environ.update({k: v for k, v in _worker_env(dsn, redis_url).items() if k != "LOG_LEVEL"})
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()


def _x_account(index: int) -> dict[str, str]:
    return {
        "id": str(1500000000000000100 + index),
        "username": f"skattefar_b{index}",
        "name": f"Skattefar {index}",
        "token": f"x-bench-token-{index}",
        "env": f"SVAR_CREDENTIAL_BENCH_X_{index}",
    }


def _page(index: int) -> dict[str, str]:
    return {
        "id": str(100000000000100 + index),
        "name": f"Skattestyrelsen {index}",
        "token": f"fb-bench-token-{index}",
        "env": f"SVAR_CREDENTIAL_BENCH_FB_{index}",
    }


def _load_simulator(workload: Workload) -> tuple[Any, dict[str, str]]:
    """Start the simulator in this process and put every message of the workload into it."""
    from connectors.simulator.graph.app import GraphApp
    from connectors.simulator.server import Simulator, SimulatorServer
    from connectors.simulator.x.app import XApp

    x, graph = XApp(), GraphApp()
    tokens: dict[str, str] = {}
    for i in range(workload.x_accounts):
        acc = _x_account(i)
        x.add_account(acc["id"], acc["username"], acc["name"], acc["token"])
        tokens[acc["env"]] = acc["token"]
    for i in range(workload.facebook_pages):
        page = _page(i)
        graph.add_page(page["id"], page["name"], page["token"])
        tokens[page["env"]] = page["token"]

    tweets: dict[tuple[int, int], tuple[str, str]] = {}  # thread -> (root id, last id)
    comments: dict[tuple[int, int], str] = {}  # thread -> top-level comment id
    posts: dict[tuple[int, int], str] = {}
    first_time = workload.items[0].sent_at if workload.items else datetime.now(UTC)
    for item in workload.items:
        key = (item.account, item.thread)
        author = {"id": item.author_id, "name": item.author_name,
                  "username": f"kunde{item.author_id[-6:]}"}  # fmt: skip
        if item.kind == "x_mention":
            me = _x_account(item.account)["id"]
            root, last = tweets.get(key, (None, None))
            tweet = x.add_mention(me, author, item.text, conversation_id=root,
                                  in_reply_to_tweet_id=last, created_at=item.sent_at)  # fmt: skip
            tweets[key] = (root or tweet["id"], tweet["id"])
        elif item.kind == "x_dm":
            x.add_dm(_x_account(item.account)["id"], author, item.text, created_at=item.sent_at)
        elif item.kind == "fb_comment":
            page_id = _page(item.account)["id"]
            post_key = (item.account, item.thread // ingest_workload.COMMENTS_PER_POST)
            if post_key not in posts:
                posts[post_key] = graph.add_post(
                    page_id, "Husk: fristen for at rette årsopgørelsen er 1. maj.",
                    created_time=first_time - timedelta(hours=1),
                )["id"]  # fmt: skip
            comment = graph.add_comment(
                posts[post_key],
                author,
                item.text,
                parent_id=comments.get(key),
                created_time=item.sent_at,
            )
            comments.setdefault(key, comment["id"])
        else:
            graph.add_messenger_message(
                _page(item.account)["id"],
                item.author_id,
                item.author_name,
                item.text,
                created_time=item.sent_at,
            )
    server = SimulatorServer(Simulator([x, graph]), host="127.0.0.1", port=0).start()
    return server, tokens


def _create_accounts(workload: Workload, base_url: str, prefix: str = "") -> list[int]:
    """Channel accounts in two teams, with an agent in both; returns their ids (X first)."""
    from django.contrib.auth import get_user_model

    from inbox.models import Agent, ChannelAccount, Team

    teams = [Team.objects.get_or_create(name=name)[0] for name in TEAMS]
    user, created = get_user_model().objects.get_or_create(username="mette")
    if created:
        agent = Agent.objects.create(user=user, public_name="Mette Jensen", initials="MJ",
                                     signatures={"x": " /Mette"})  # fmt: skip
        agent.teams.set(teams)
    ids = []
    specs = [("x", _x_account(i)) for i in range(workload.x_accounts)]
    specs += [("facebook", _page(i)) for i in range(workload.facebook_pages)]
    for n, (platform_name, spec) in enumerate(specs):
        account = ChannelAccount.objects.create(
            platform=platform_name,
            display_name=f"{prefix}{spec['name']}",
            external_id=f"{prefix}{spec['id']}",
            handle=spec.get("username", ""),
            team=teams[n % len(teams)],
            credentials_ref=spec["env"],
            base_url=base_url,
            poll_interval_seconds=30,
            # Not due until the clock starts: the workers' own dispatch must not begin early.
            next_poll_at=datetime.now(UTC) + timedelta(days=1),
        )
        ids.append(account.pk)
    return ids


# --- 1. end to end -----------------------------------------------------------------------------


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


def _stored(dsn: str, account_ids: list[int]) -> int:
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
    server, tokens = _load_simulator(workload)
    load_s = time.perf_counter() - loading
    account_ids = _create_accounts(workload, server.base_url)
    children_before = _children_cpu()
    workers = Workers(args.workers, {**_worker_env(args.dsn, args.redis), **tokens},
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
            stored = _stored(args.dsn, account_ids)
            timeline.append((round(time.perf_counter() - started, 2), stored))
        elapsed = time.perf_counter() - started
        own_cpu = time.process_time() - own_cpu
    finally:
        workers.stop()
        server.stop()
    polls = workers.poll_lines()
    worker_cpu = _children_cpu() - children_before
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
        "checks": _checks(args.dsn, account_ids),
        "polls": _poll_stats(polls),
        "progress": _thin(timeline, 40),
        "worker_logs": [str(log) for log in workers.logs],
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _checks(dsn: str, account_ids: list[int]) -> dict[str, int]:
    """Every message once, and in an event: what 'stored' means in this benchmark."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        messages, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT (account_id, external_id)) FROM inbox_message "
            "WHERE account_id = ANY(%s)", [account_ids],
        ).fetchone()  # fmt: skip
        in_events = conn.execute(
            "SELECT coalesce(sum(jsonb_array_length(e.payload->'messages')), 0) "
            "FROM inbox_inboxevent e JOIN inbox_conversation c ON c.id = e.conversation_id "
            "WHERE e.kind = 'messages.received' AND c.account_id = ANY(%s)", [account_ids],
        ).fetchone()[0]  # fmt: skip
        conversations = conn.execute(
            "SELECT count(*) FROM inbox_conversation WHERE account_id = ANY(%s)", [account_ids]
        ).fetchone()[0]
        # A poll that failed or hit a rate limit stalls its account: say so beside the figure.
        errors = conn.execute(
            "SELECT count(*) FROM inbox_channelaccount WHERE id = ANY(%s) AND last_error <> ''",
            [account_ids],
        ).fetchone()[0]
    return {"messages": messages, "distinct_external_ids": distinct,
            "messages_in_events": int(in_events), "conversations": conversations,
            "accounts_with_errors": errors}  # fmt: skip


def _poll_stats(polls: list[tuple[int, int, float, int, float]]) -> dict[str, Any]:
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


def _thin(points: list[tuple[float, int]], keep: int) -> list[tuple[float, int]]:
    if len(points) <= keep:
        return points
    step = len(points) / keep
    return [points[int(i * step)] for i in range(keep)] + [points[-1]]


# --- 2. the ingest service alone ---------------------------------------------------------------


def _batches(workload: Workload, size: int) -> list[tuple[int, list[Item]]]:
    """Per channel account (X i, then Page j), its items in time order cut into polls."""
    by_account: dict[int, list[Item]] = defaultdict(list)
    for item in workload.items:
        slot = item.account if item.platform == "x" else workload.x_accounts + item.account
        by_account[slot].append(item)
    return [
        (slot, items[i : i + size])
        for slot, items in sorted(by_account.items())
        for i in range(0, len(items), size)
    ]


def run_service(args: argparse.Namespace, workload: Workload, batch: int) -> dict[str, Any]:
    from django.db import connection

    from inbox.services import messages_ingest

    account_ids = _create_accounts(workload, "http://127.0.0.1:9", prefix="svc-")
    # New customers, as in the end-to-end run (contacts are per platform, not per account).
    prepared = [
        (account_ids[slot], [replace(m, author=replace(m.author, external_id="svc" +
                                                      m.author.external_id))
                             for m in map(ingest_workload.inbound, items)])
        for slot, items in _batches(workload, batch)
    ]  # fmt: skip
    started = time.perf_counter()
    for account_id, messages in prepared:
        messages_ingest(account_id=account_id, messages=messages)
    elapsed = time.perf_counter() - started
    connection.close()
    return {
        "messages": len(workload.items),
        "batches": len(prepared),
        "batch_size": batch,
        "processes": 1,
        "seconds": round(elapsed, 3),
        "messages_per_s": round(len(workload.items) / elapsed, 1),
        "checks": _checks(args.dsn, account_ids),
    }


# --- 3. raw INSERT baseline --------------------------------------------------------------------


def run_raw(args: argparse.Namespace, workload: Workload, batch: int) -> dict[str, Any]:
    received = datetime.now(UTC)
    rows = [
        (1000 + item.thread, 1 + slot, "in", f"{item.kind}-{item.seq}", item.text, "", item.text,
         int(item.author_id) % 1_000_000, "", item.sent_at, received, "received", "", 0)
        for slot, items in _batches(workload, batch)
        for item in items
    ]  # fmt: skip
    columns = ", ".join(MESSAGE_COLUMNS)
    placeholders = "(" + ", ".join(["%s"] * len(MESSAGE_COLUMNS)) + ")"
    with psycopg.connect(args.dsn) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_raw_message")
        # Same columns, defaults, indexes and partial unique index; LIKE copies no foreign keys.
        conn.execute("CREATE TABLE bench_raw_message (LIKE inbox_message INCLUDING ALL)")
        conn.commit()
        started = time.perf_counter()
        for i in range(0, len(rows), batch):
            chunk = rows[i : i + batch]
            conn.execute(
                f"INSERT INTO bench_raw_message ({columns}) VALUES "
                + ", ".join([placeholders] * len(chunk))
                + " ON CONFLICT (account_id, external_id) WHERE external_id IS NOT NULL"
                " DO NOTHING",
                [value for row in chunk for value in row],
            )
            conn.commit()
        elapsed = time.perf_counter() - started
        stored = conn.execute("SELECT count(*) FROM bench_raw_message").fetchone()[0]
    return {
        "messages": len(rows),
        "stored": stored,
        "batch_size": batch,
        "seconds": round(elapsed, 3),
        "messages_per_s": round(len(rows) / elapsed, 1),
    }


# --- report ------------------------------------------------------------------------------------


def _load() -> dict[str, Any]:
    one, five, fifteen = os.getloadavg()
    return {"loadavg": [round(one, 2), round(five, 2), round(fifteen, 2)],
            "cpus": os.cpu_count()}  # fmt: skip


def _print(report: dict[str, Any]) -> None:
    e2e, service, raw = report["end_to_end"], report["service_only"], report["raw_insert"]
    w = report["workload"]
    print(
        f"\n{w['messages']} messages ({w['by_kind']}), {w['threads']} threads, "
        f"{w['accounts']} accounts, {report['workers']} workers; load before "
        f"{report['load_before']['loadavg']}, after {report['load_after']['loadavg']}"
    )
    print(f"{'stage':<34}{'messages':>10}{'seconds':>10}{'messages/s':>12}")
    for label, row in (
        ("end to end (sim→worker→PG→event)", e2e),
        ("ingest service alone (1 process)", service),
        ("raw INSERT … ON CONFLICT", raw),
    ):
        count = row.get("stored", row["messages"])
        print(f"{label:<34}{count:>10}{row['seconds']:>10.2f}{row['messages_per_s']:>12.0f}")
    polls = e2e["polls"]
    if polls.get("count"):
        print(
            f"polls: {polls['count']} ({polls['items_per_poll_mean']} items each); "
            f"fetch {polls['fetch_ms_per_item']} ms/item, "
            f"store {polls['store_ms_per_stored']} ms/message (summed over workers)"
        )
    print(f"checks: {e2e['checks']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--accounts", type=int, default=4)
    parser.add_argument(
        "--batch",
        type=int,
        default=500,
        help="messages per ingest transaction for the service and raw runs",
    )
    parser.add_argument("--maintenance-interval", type=int, default=2)
    parser.add_argument("--dsn", default=DEFAULT_DSN)
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()

    load_before = _load()
    _recreate_database(args.dsn)
    _setup_django(args.dsn, args.redis)
    workload = ingest_workload.build(args.messages, args.accounts)
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": {"python": platform.python_version(), "machine": platform.machine()},
        "workers": args.workers,
        "load_before": load_before,
        "workload": {
            "messages": len(workload.items),
            "accounts": args.accounts,
            "x_accounts": workload.x_accounts,
            "facebook_pages": workload.facebook_pages,
            "threads": workload.threads(),
            "follow_ups": sum(1 for i in workload.items if i.follow_up),
            "by_kind": {k: workload.count(k) for k in ingest_workload.KINDS},
        },
    }
    report["end_to_end"] = run_end_to_end(args, workload)
    report["service_only"] = run_service(args, workload, args.batch)
    report["raw_insert"] = run_raw(args, workload, args.batch)
    report["load_after"] = _load()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    _print(report)
    print(f"written: {args.output}")


if __name__ == "__main__":
    main()
