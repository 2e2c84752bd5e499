"""Restore the database and the media store from a backup folder (docs/privacy.md). Stop the
web processes and workers first: the restore replaces every table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from web.ops.backup import BackupRefused, backup_restore


class Command(BaseCommand):
    help = "Restore PostgreSQL and the media store from a backup FOLDER (svar_backup)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)

    def handle(self, *args: Any, folder: Path, **options: Any) -> None:
        try:
            manifest = backup_restore(folder)
        except BackupRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(f"restored the backup of {manifest['created_at']} from {folder}")
