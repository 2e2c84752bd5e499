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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import ingest_workload
from bench.ingest_database import REPO, recreate_database, setup_django
from bench.ingest_direct import run_raw, run_service
from bench.ingest_end_to_end import run_end_to_end

RESULTS = REPO / "bench" / "results" / "ingest_throughput.json"
DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/svar_ingest_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/10"


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
    recreate_database(args.dsn)
    setup_django(args.dsn, args.redis)
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
