"""The embedded default: private PostgreSQL and Redis that keep their data across restarts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import redis

from web.ops import embedded


@pytest.fixture
def private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    # A short path: Unix socket paths are limited to ~100 bytes.
    path = Path(f"/tmp/svar-embedded-test-{os.getpid()}")
    monkeypatch.setenv("SVAR_DATA_DIR", str(path))
    yield path
    embedded.stop()
    subprocess.run(["rm", "-rf", str(path)], check=False)


def test_servers_start_on_demand_and_keep_data_across_a_restart(private_data_dir):
    pg = embedded.postgres()
    redis_url = embedded.redis_url()
    with psycopg.connect(pg.url, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (value text)")
        conn.execute("INSERT INTO kept VALUES ('hej')")
    redis.Redis.from_url(redis_url).set("kept", "hej")

    embedded.stop()
    assert not (private_data_dir / "postgres" / "postmaster.pid").exists()

    pg = embedded.postgres()
    with psycopg.connect(pg.url) as conn:
        assert conn.execute("SELECT value FROM kept").fetchone() == ("hej",)
    assert redis.Redis.from_url(embedded.redis_url()).get("kept") == b"hej"


def test_a_second_process_finds_the_running_servers(private_data_dir):
    first = embedded.postgres().url, embedded.redis_url()
    out = subprocess.run(
        [sys.executable, "-m", "web.ops.embedded", "start"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "SVAR_DATA_DIR": str(private_data_dir)},
    ).stdout
    assert first[0] in out
    assert first[1] in out


def test_the_data_lives_under_the_repositorys_own_data_folder(monkeypatch):
    # `./svar` finds running servers (and `./svar run` decides whether to stop them) by the
    # same path: <repository>/.data, unless SVAR_DATA_DIR says otherwise.
    monkeypatch.delenv("SVAR_DATA_DIR", raising=False)
    repository = Path(__file__).resolve().parents[2]
    assert (repository / "svar").is_file()
    assert embedded.data_dir() == repository / ".data"
