"""Apply the retention policies (docs/privacy.md): queue the RQ job for every team (daily, from
cron), or run it here with --now, or only count what would go with --dry-run."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from inbox.models import Team
from inbox.retention.dry_run import retention_dry_run
from inbox.retention.jobs import retention_enqueue, retention_run


class Command(BaseCommand):
    help = "Apply retention policies: queue the job per team, or --now, or --dry-run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", type=int, default=None, help="only this team's id")
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")
        parser.add_argument("--now", action="store_true", help="run here, not in a worker")
        parser.add_argument(
            "--batch", type=int, default=None, help="conversations per batch (SVAR_RETENTION_BATCH)"
        )
        parser.add_argument(
            "--pause",
            type=float,
            default=None,
            help="least seconds between batches (SVAR_RETENTION_PAUSE_MS)",
        )

    def handle(self, *args: Any, team: int | None, dry_run: bool, now: bool, batch: int | None,
               pause: float | None, **options: Any) -> None:  # fmt: skip
        team_ids = [team] if team else list(Team.objects.values_list("pk", flat=True))
        for team_id in team_ids:
            if dry_run:
                result = retention_dry_run(team_id)
            elif now:
                result = retention_run(team_id, batch=batch, pause=pause)
            else:
                result = {"queued": retention_enqueue(team_id, batch=batch, pause=pause).id}
            self.stdout.write(f"team {team_id}: {json.dumps(result, sort_keys=True)}")
