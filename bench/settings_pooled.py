"""``web.settings`` as the benchmark suggests running it in production (see bench/README.md).

1. A connection pool. Under ASGI, Django runs each request's sync code in a thread of its
   own, so the thread-local persistent connection (``CONN_MAX_AGE``) is never reused: every
   request opens a new PostgreSQL connection (pg_stat_database.sessions grows by one per
   request). Django 5.1+ keeps a process-wide pool instead; it needs ``psycopg[pool]``.
2. No parallel query for these OLTP connections: on two cores, starting workers for a list
   page (the tag filter's plan) costs more than it saves, and the p99 pays for it.
"""

from web.settings import *  # noqa: F403
from web.settings import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django refuses persistent connections with a pool
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
DATABASES["default"].setdefault("OPTIONS", {}).update(
    pool={"min_size": 2, "max_size": 8},
    options="-c max_parallel_workers_per_gather=0",
)
