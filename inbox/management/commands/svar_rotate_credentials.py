"""Re-encrypt every stored access token with the newest key of SVAR_CREDENTIALS_KEYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from inbox.services.credentials import credentials_reseal_all


class Command(BaseCommand):
    help = (
        "Key rotation: put a new key first in SVAR_CREDENTIALS_KEYS (keep the old one after "
        "it), restart, run this, then remove the old key."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = credentials_reseal_all()
        self.stdout.write(f"Re-encrypted {result.resealed} access token(s) with the newest key.")
        if result.unreadable:
            raise CommandError(
                "No configured key opens the token of account(s) "
                f"{', '.join(map(str, result.unreadable))}: set their tokens again."
            )
