"""Back up the database and the media store into a new folder (docs/privacy.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from web.ops.backup import BackupRefused, backup_create


class Command(BaseCommand):
    help = "Back up PostgreSQL (pg_dump custom format) and the media store (tar) into FOLDER."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)

    def handle(self, *args: Any, folder: Path, **options: Any) -> None:
        try:
            manifest = backup_create(folder)
        except BackupRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(f"backup written to {folder} at {manifest['created_at']}")
