"""Drill: PostgreSQL restarts under a running web server. The ASGI process keeps a connection
pool (web/settings.py); after the restart every pooled connection is dead, and the pool must
replace them instead of failing requests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from django.conf import settings

from tests.drills.private_servers import ROOT, PrivatePostgres
from tests.web.servers import free_port

pytestmark = pytest.mark.slow

MAKE_AGENT = """
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
from inbox.models import Agent
user = User.objects.create_user("drill-agent")
user.groups.add(Group.objects.get(name="agent"))
Agent.objects.create(user=user, public_name="Drill Agent", initials="DA")
print(Token.objects.create(user=user).key)
"""


@pytest.fixture
def web(postgres: PrivatePostgres, tmp_path) -> Iterator[str]:
    port = free_port()
    log = (tmp_path / "uvicorn.log").open("wb")
    env = {**os.environ, "DATABASE_URL": postgres.url, "REDIS_URL": settings.REDIS_URL,
           "DEBUG": "0", "LOG_LEVEL": "WARNING"}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "web.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--lifespan", "off", "--no-access-log"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    origin = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{origin}/healthz", timeout=1, trust_env=False)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "uvicorn did not start"
                time.sleep(0.1)
        yield origin
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()
        print((tmp_path / "uvicorn.log").read_text()[-4000:])


def test_requests_after_a_postgres_restart_succeed_on_fresh_pooled_connections(postgres, web):
    token = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", MAKE_AGENT],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": postgres.url}, check=True,
        capture_output=True, text=True, timeout=60,
    ).stdout.split()[-1]  # fmt: skip
    with httpx.Client(
        base_url=web, headers={"Authorization": f"Token {token}"}, trust_env=False, timeout=10
    ) as client:
        # Several requests at once fill the pool with connections that the restart will cut.
        for _ in range(10):
            assert client.get("/api/conversations").status_code == 200
        (pooled,) = postgres.query(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = 'svar' AND pid <> pg_backend_pid()"
        )[0]
        postgres.restart()
        statuses = [client.get("/api/conversations").status_code for _ in range(20)]
        me = client.get("/api/me")

    assert pooled >= 1, "the web process holds pooled connections across requests"
    assert statuses == [200] * 20
    assert me.status_code == 200
    assert me.json()["agent"]["public_name"] == "Drill Agent"
