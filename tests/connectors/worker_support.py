"""Real RQ worker processes for tests: started on the test database and Redis, killed at will."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import psutil
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The database this test runs on, as a URL a child process can use."""
    params = connection.settings_dict
    host = params.get("HOST") or ""
    host = quote(host, safe="") if host.startswith("/") else host
    port = f":{params['PORT']}" if params.get("PORT") else ""
    return f"postgresql://{params.get('USER') or ''}@{host}{port}/{params['NAME']}"


class WorkerProcess:
    """``manage.py svar_worker`` in its own process group, so a kill takes its work-horse too."""

    def __init__(self, *queues: str, env: dict[str, str] | None = None, name: str) -> None:
        self.log = Path(f"/tmp/svar-test-worker-{name}-{os.getpid()}.log")
        command = [sys.executable, "manage.py", "svar_worker", "--name", f"{name}-{os.getpid()}",
                   "--maintenance-interval", "2", "--job-monitoring-interval", "2"]  # fmt: skip
        if queues:
            command += ["--queues", *queues]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={
                **os.environ,
                "DATABASE_URL": database_url(),
                "REDIS_URL": settings.REDIS_URL,
                **(env or {}),
            },
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL the worker, its scheduler and its work-horse (RQ puts the horse in a process
        group of its own): no clean-up of any kind runs."""
        family = [psutil.Process(self.process.pid)]
        family += family[0].children(recursive=True)
        for member in family:
            with contextlib.suppress(psutil.NoSuchProcess):
                member.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def pids(self) -> list[int]:
        return [self.process.pid] + [
            child.pid for child in psutil.Process(self.process.pid).children(recursive=True)
        ]

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)
