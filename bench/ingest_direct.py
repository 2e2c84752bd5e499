"""Ingest without HTTP or workers: the ingest service called in this process with prebuilt
batches, and the raw baseline, a bulk ``INSERT … ON CONFLICT DO NOTHING`` of the same rows."""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import psycopg

from bench import ingest_workload
from bench.ingest_database import checks, create_accounts
from bench.ingest_workload import Item, Workload

MESSAGE_COLUMNS = (
    "conversation_id", "account_id", "direction", "external_id", "body", "signature", "text",
    "author_contact_id", "in_reply_to_external_id", "platform_time", "received_at",
    "delivery_state", "delivery_error", "delivery_attempts",
)  # fmt: skip


def batches(workload: Workload, size: int) -> list[tuple[int, list[Item]]]:
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

    account_ids = create_accounts(workload, "http://127.0.0.1:9", prefix="svc-")
    # New customers, as in the end-to-end run (contacts are per platform, not per account).
    prepared = [
        (account_ids[slot], [replace(m, author=replace(m.author, external_id="svc" +
                                                      m.author.external_id))
                             for m in map(ingest_workload.inbound, items)])
        for slot, items in batches(workload, batch)
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
        "checks": checks(args.dsn, account_ids),
    }


# --- 3. raw INSERT baseline --------------------------------------------------------------------


def run_raw(args: argparse.Namespace, workload: Workload, batch: int) -> dict[str, Any]:
    received = datetime.now(UTC)
    rows = [
        (1000 + item.thread, 1 + slot, "in", f"{item.kind}-{item.seq}", item.text, "", item.text,
         int(item.author_id) % 1_000_000, "", item.sent_at, received, "received", "", 0)
        for slot, items in batches(workload, batch)
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
