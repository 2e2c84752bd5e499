"""Drill: PostgreSQL restarts while a poll is in flight. A real worker process runs against a
private PostgreSQL; the poll that was cut off fails, RQ retries it, and the backlog is stored
with every message exactly once. Downtime and recovery time are printed."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from connectors import jobs
from connectors.simulator import demo
from connectors.simulator.faults import FaultKind
from tests.connectors.twitter_support import ME
from tests.connectors.worker_support import WorkerProcess, wait_for
from tests.drills.private_servers import ROOT, PrivatePostgres

pytestmark = pytest.mark.slow
MENTIONS = 1_500  # three polls' worth (five pages of 100 per poll)
TOKEN_ENV = "SVAR_DRILL_X_TOKEN"


def test_a_poll_cut_off_by_a_postgres_restart_is_retried_and_nothing_is_lost(
    postgres, x_sim, clean_queues
):
    env = {"DATABASE_URL": postgres.url, TOKEN_ENV: demo.X_TOKEN}
    subprocess.run(
        [sys.executable, "manage.py", "svar_add_account", "--platform", "x", "--external-id", ME,
         "--name", "@skattefar", "--team", "Skat", "--token-env", TOKEN_ENV,
         "--base-url", x_sim.base_url, "--poll-interval", "5"],
        cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    for n in range(MENTIONS):
        author = {"id": str(4000 + n), "username": f"kunde{n}", "name": f"Kunde {n}"}
        x_sim.app.add_mention(ME, author, f"Spørgsmål {n}")
    # The first poll's read hangs for 3 s: PostgreSQL restarts while it holds its connection.
    x_sim.fault(FaultKind.SLOW, path_prefix="/2/users", delay_seconds=3, remaining=1)

    worker = WorkerProcess(jobs.POLL_QUEUE, jobs.DISPATCH_QUEUE, env=env, name="pg-drill")
    try:
        wait_for(lambda: not x_sim.server.simulator.faults.active(), timeout=60,
                 what="the first poll to be in flight")  # fmt: skip
        down, up = postgres.restart()
        wait_for(lambda: _stored(postgres) >= MENTIONS, timeout=120, what="the backlog")
        recovered = time.monotonic() - up
        alive = worker.process.poll() is None
    finally:
        worker.stop()

    rows, distinct = postgres.query(
        "SELECT count(*), count(DISTINCT external_id) FROM inbox_message WHERE direction = 'in'"
    )[0]
    (events,) = postgres.query("SELECT count(*) FROM inbox_inboxevent")[0]
    failed_attempts = worker.output().count("OperationalError") + worker.output().count(
        "InterfaceError"
    )
    print(
        f"\npostgres restart: down {down:.2f} s; all {rows} messages stored {recovered:.1f} s "
        f"after it answered again; {distinct} distinct; {events} events; "
        f"{failed_attempts} database errors in the worker's log"
    )
    assert alive, worker.output()[-3000:]
    assert rows == distinct == MENTIONS
    assert events == MENTIONS  # one conversation per customer tweet: one event each
    assert failed_attempts > 0, "the restart must have cut a poll off (else nothing was drilled)"


def _stored(postgres: PrivatePostgres) -> int:
    return postgres.query("SELECT count(*) FROM inbox_message WHERE direction = 'in'")[0][0]
