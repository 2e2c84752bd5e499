"""Rebuild the response-time intervals from the event log (and messages), then recompute
business time. Safe to run at any time: each chunk of conversations is replaced atomically."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from inbox.metrics.rebuild import intervals_rebuild


class Command(BaseCommand):
    help = "Rebuild response-time intervals from history (all teams, or one with --team)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", type=int, default=None, help="only this team's id")

    def handle(self, *args: Any, team: int | None, **options: Any) -> None:
        started = time.perf_counter()
        count = intervals_rebuild(team_id=team)
        elapsed = time.perf_counter() - started
        self.stdout.write(f"rebuilt {count} intervals in {elapsed:.1f} s")
