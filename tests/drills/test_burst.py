"""Drill: a burst of 50,000 inbound messages waits on the simulated X API; two real worker
processes poll it into PostgreSQL. Every message is stored exactly once; the throughput is
printed."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.db import connection

from connectors import jobs
from connectors.simulator.server import Simulator, SimulatorServer
from connectors.simulator.x.app import XApp
from inbox.services.accounts import channel_account_create
from tests.connectors.worker_support import WorkerProcess, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
ACCOUNTS = 10
PER_ACCOUNT = 5_000
TOTAL = ACCOUNTS * PER_ACCOUNT
WORKERS = 2


@pytest.fixture
def burst() -> Iterator[SimulatorServer]:
    app = XApp()
    for a in range(ACCOUNTS):
        app.add_account(f"77{a:04d}", f"skat_{a}", f"Skattestyrelsen {a}", f"burst-token-{a}")
        for n in range(PER_ACCOUNT):
            author = {"id": str(10**9 + n), "username": f"kunde{n}", "name": f"Kunde {n}"}
            app.add_mention(f"77{a:04d}", author, f"Spørgsmål {n} om skat")
    server = SimulatorServer(Simulator([app])).start()
    yield server
    server.stop()


def test_fifty_thousand_messages_are_stored_exactly_once(burst, team, clean_queues):
    for a in range(ACCOUNTS):
        channel_account_create(
            platform="x", display_name=f"@skat_{a}", external_id=f"77{a:04d}",
            team_name=team.name, token=f"burst-token-{a}", base_url=burst.base_url,
            poll_interval_seconds=5,
        )  # fmt: skip

    started = time.monotonic()
    workers = [
        WorkerProcess(jobs.POLL_QUEUE, jobs.DISPATCH_QUEUE, name=f"burst-{n}")
        for n in range(WORKERS)
    ]
    try:
        wait_for(lambda: _stored() >= TOTAL, timeout=240, what=f"{TOTAL} messages")
    finally:
        for worker in workers:
            worker.stop()
    elapsed = time.monotonic() - started

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(DISTINCT (account_id, external_id)), "
            "count(DISTINCT account_id) FROM inbox_message WHERE direction = 'in'"
        )
        rows, distinct, accounts = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM inbox_inboxevent")
        (events,) = cursor.fetchone()
    print(
        f"\nburst: {rows} messages from {accounts} accounts stored by {WORKERS} workers in "
        f"{elapsed:.1f} s ({rows / elapsed:.0f} messages/s, worker start-up included); "
        f"{distinct} distinct; {events} events logged"
    )
    assert rows == distinct == TOTAL
    assert accounts == ACCOUNTS
    assert events == TOTAL  # each customer tweet opens its own conversation: one event each


def _stored() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM inbox_message WHERE direction = 'in'")
        return cursor.fetchone()[0]
