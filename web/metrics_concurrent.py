"""Run a page's independent metric queries at the same time, each on its own connection.

A dashboard load is a dozen aggregate queries that do not depend on one another; run one
after the other their times add up, run side by side the page takes about as long as the
slowest pair (bench/metrics_dashboard.py measures both ways). Inside a transaction (a test's,
or ATOMIC_REQUESTS) other connections could not see its rows, so the queries then run in turn.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import connection, connections

WORKERS = getattr(settings, "SVAR_METRICS_QUERY_WORKERS", 3)


def _on_own_connection(task: Callable[[], Any]) -> Any:
    try:
        return task()
    finally:
        connections.close_all()  # this thread's connections end with it


def run_all(tasks: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
    if WORKERS <= 1 or connection.in_atomic_block:
        return {name: task() for name, task in tasks.items()}
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="metrics") as pool:
        futures = {name: pool.submit(_on_own_connection, task) for name, task in tasks.items()}
        return {name: future.result() for name, future in futures.items()}
