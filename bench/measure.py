"""Timing primitives: percentiles, a real uvicorn server, HTTP and raw-SQL loops, EXPLAIN."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg

REPO = Path(__file__).resolve().parent.parent
# A Sort whose input is larger than this is reported: the list should come off an index.
SORT_ROWS_FLAG = 1000
SEQ_SCAN_ROWS_FLAG = 1000


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": round(ordered[-1], 2)}


def _timed(call: Callable[[], None], count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Server:
    base: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time used so far by the server and its worker processes (Linux /proc).

        Unlike latency, this does not grow when other programs compete for the cores."""
        tick = os.sysconf("SC_CLK_TCK")
        return sum(_cpu_ticks(pid) for pid in _process_tree(self.pid)) / tick


def _stat_fields(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()  # after "pid (comm) "


def _cpu_ticks(pid: int) -> int:
    try:
        fields = _stat_fields(pid)
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime


def _process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(int(_stat_fields(int(entry.name))[1]), []).append(
                    int(entry.name)
                )
            except (FileNotFoundError, ProcessLookupError):
                continue
    tree, queue = [], [root]
    while queue:
        pid = queue.pop()
        tree.append(pid)
        queue.extend(children.get(pid, []))
    return tree


@contextmanager
def uvicorn_server(env: dict[str, str], workers: int, probe_token: str) -> Iterator[Server]:
    """A real ASGI server on a free port; yields it once it answers an API call."""
    port = _free_port()
    command = [
        sys.executable, "-m", "uvicorn", "web.asgi:application", "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(workers), "--no-access-log",
        "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO, env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, probe_token, process)
        yield Server(base, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_ready(base: str, token: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    headers = {"Authorization": f"Token {token}"}
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/api/me", headers=headers, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("uvicorn did not become ready within 60 s")


def time_http(
    base: str, token: str, params: dict[str, str], count: int, warmup: int, clients: int = 1
) -> tuple[list[float], int]:
    """Client-side latency of GET /api/conversations in ms, and how many answers were not 200.

    Each client is one keep-alive connection sending one request after the other, ``clients``
    of them at the same time. An error is counted, not raised: it is part of the result."""
    with ThreadPoolExecutor(clients) as pool:
        runs = list(
            pool.map(
                lambda _: _client_run(base, token, params, count // clients, warmup),
                range(clients),
            )
        )
    return [sample for samples, _ in runs for sample in samples], sum(e for _, e in runs)


def _client_run(
    base: str, token: str, params: dict[str, str], count: int, warmup: int
) -> tuple[list[float], int]:
    headers = {"Authorization": f"Token {token}"}
    errors = 0
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:

        def call() -> None:
            nonlocal errors
            if client.get("/api/conversations", params=params).status_code != 200:
                errors += 1

        _timed(call, warmup)
        errors = 0  # count the timed requests only
        return _timed(call, count), errors


def time_sql(
    dsn: str, statements: list[str], count: int, warmup: int, options: str = ""
) -> list[float]:
    """Latency of running ``statements`` in turn on one persistent psycopg connection, in ms;
    ``options`` as libpq passes them (``-c setting=value``)."""
    with psycopg.connect(dsn, autocommit=True, options=options) as conn:

        def call() -> None:
            for sql in statements:
                conn.execute(sql).fetchall()

        _timed(call, warmup)
        return _timed(call, count)


def sql_flags(statements: list[str]) -> list[str]:
    flags = []
    for sql in statements:
        if re.search(r"\bOFFSET\b", sql, re.IGNORECASE):
            flags.append(f"OFFSET in: {sql[:80]}…")
        if re.search(r"\bCOUNT\s*\(", sql, re.IGNORECASE):
            flags.append(f"COUNT in: {sql[:80]}…")
    return flags


def explain(dsn: str, sql: str) -> dict[str, Any]:
    """EXPLAIN (ANALYZE, BUFFERS) of one query: plan outline, execution time and red flags."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql).fetchall()  # warm, as the timed loops are
        raw = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}").fetchone()[0]
    document = raw if isinstance(raw, list) else json.loads(raw)
    top = document[0]
    lines: list[str] = []
    flags: list[str] = []
    _walk(top["Plan"], 0, lines, flags)
    return {
        "execution_ms": round(top["Execution Time"], 3),
        "planning_ms": round(top["Planning Time"], 3),
        "plan": lines,
        "flags": flags,
    }


def _node_line(node: dict[str, Any]) -> str:
    target = node.get("Index Name") or node.get("Relation Name") or ""
    label = f"{node['Node Type']} {'on ' + target if target else ''}".strip()
    rows = node.get("Actual Rows", 0)
    loops = node.get("Actual Loops", 1)
    hits = node.get("Shared Hit Blocks", 0)
    reads = node.get("Shared Read Blocks", 0)
    return f"{label} (rows={rows} loops={loops} buffers hit={hits} read={reads})"


def _walk(node: dict[str, Any], depth: int, lines: list[str], flags: list[str]) -> None:
    lines.append("  " * depth + _node_line(node))
    if node["Node Type"] == "Seq Scan":
        scanned = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
        # A lookup table of a few rows is best read whole; say so, but only flag real scans.
        kind = "Seq Scan" if scanned > SEQ_SCAN_ROWS_FLAG else "note: Seq Scan of a small table"
        flags.append(f"{kind} on {node.get('Relation Name')} ({scanned} rows per loop)")
    if node["Node Type"] == "Sort":
        child = node.get("Plans", [{}])[0]
        sorted_rows = child.get("Actual Rows", 0) * child.get("Actual Loops", 1)
        if sorted_rows > SORT_ROWS_FLAG:
            flags.append(f"Sort over {sorted_rows} rows ({node.get('Sort Method')})")
    for child in node.get("Plans", []):
        _walk(child, depth + 1, lines, flags)
