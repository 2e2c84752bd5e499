"""Connect a channel account (an X account or a Facebook Page) to a team's inbox."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from connectors.base import Platform
from inbox.exceptions import InboxError
from inbox.services.accounts import channel_account_create


class Command(BaseCommand):
    help = (
        "Add or update a channel account. The access token is read at run time from the "
        "environment variable given by --credentials-env; it is never stored."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--platform", required=True, choices=[p.value for p in Platform])
        parser.add_argument("--external-id", required=True, help="X user id or Facebook Page id")
        parser.add_argument("--name", required=True, help="Display name in the inbox")
        parser.add_argument("--team", required=True, help="Team name (created if missing)")
        parser.add_argument(
            "--credentials-env", required=True, help="e.g. SVAR_CREDENTIAL_X_SKATTEFAR"
        )
        parser.add_argument("--handle", default="")
        parser.add_argument("--base-url", default="", help="API base URL (the simulator)")
        parser.add_argument("--poll-interval", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            account = channel_account_create(
                platform=options["platform"],
                display_name=options["name"],
                external_id=options["external_id"],
                team_name=options["team"],
                credentials_ref=options["credentials_env"],
                handle=options["handle"],
                base_url=options["base_url"],
                poll_interval_seconds=options["poll_interval"],
            )
        except InboxError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            self.style.SUCCESS(f"Channel account {account.pk} ({account}) is connected.")
        )
