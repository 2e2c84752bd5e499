"""Run a page's independent metric queries at the same time, each on its own connection.

A dashboard load is a dozen aggregate queries that do not depend on one another; run one
after the other their times add up, run side by side the page takes about as long as the
slowest (bench/metrics_dashboard.py). The pool's threads live as long as the process and keep
their connections (``CONN_MAX_AGE``), so a page load opens none. Inside a transaction (a
test's, or ATOMIC_REQUESTS) other connections could not see its rows: the queries then run in
turn on the caller's connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection

WORKERS = getattr(settings, "SVAR_METRICS_QUERY_WORKERS", 4)
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="metrics")
        return _pool


def _with_fresh_connection(task: Callable[[], Any]) -> Any:
    close_old_connections()  # drop this thread's connection if it is too old or broken
    try:
        return task()
    finally:
        close_old_connections()


def run_all(tasks: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
    if WORKERS <= 1 or connection.in_atomic_block:
        return {name: task() for name, task in tasks.items()}
    pool = _executor()
    futures = {name: pool.submit(_with_fresh_connection, task) for name, task in tasks.items()}
    return {name: future.result() for name, future in futures.items()}
