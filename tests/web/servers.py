"""Real ASGI servers for end-to-end realtime tests and benchmarks: uvicorn subprocesses on
free 127.0.0.1 ports, on the same database and Redis as the calling process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx
from django.conf import settings
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The URL of the database this process uses now (during a test: the test database)."""
    db = connection.settings_dict
    host = db["HOST"] or "127.0.0.1"
    if host.startswith("/"):
        host = quote(host, safe="")
    user = quote(db["USER"] or "postgres", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return f"postgresql://{user}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def channel_prefix() -> str:
    return settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]


class AsgiServer:
    """``uvicorn web.asgi:application`` in a subprocess; restartable on the same port."""

    def __init__(
        self,
        *,
        port: int | None = None,
        workers: int = 1,
        python_options: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ) -> None:
        self.env = env or {}  # over the defaults below, e.g. {"DEBUG": "1"} for development
        self.port = port or free_port()
        self.workers = workers
        self.python_options = python_options  # e.g. ("-m", "cProfile", "-o", path) to profile
        self.process: subprocess.Popen[bytes] | None = None
        self.log = Path(f"/tmp/svar-uvicorn-{self.port}.log")

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/inbox"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AsgiServer:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "SVAR_CHANNEL_PREFIX": channel_prefix(),
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            **self.env,
        }
        command = [
            sys.executable, *self.python_options, "-m", "uvicorn", "web.asgi:application",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--lifespan", "off", "--no-access-log", "--log-level", "warning",
            "--timeout-graceful-shutdown", "3", "--workers", str(self.workers),
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited:\n{self.log.read_text()[-3000:]}")
            try:
                if (
                    httpx.get(f"{self.origin}/healthz", timeout=1, trust_env=False).status_code
                    == 200
                ):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"uvicorn did not start:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        """A graceful stop (SIGTERM), as a deploy or a container restart does it."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()
