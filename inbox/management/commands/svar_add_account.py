"""Connect a channel account (an X account or a Facebook Page) to a team's inbox."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from connectors.base import Platform
from inbox.exceptions import InboxError
from inbox.services.accounts import channel_account_create


class Command(BaseCommand):
    help = (
        "Add or update a channel account. The access token is read from standard input "
        "(--token-stdin) or from an environment variable, and stored encrypted; or, with "
        "--credentials-env, the workers read it from that variable at run time. A token is "
        "never a command-line argument: argv is visible to every user of the machine."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--platform", required=True, choices=[p.value for p in Platform])
        parser.add_argument("--external-id", required=True, help="X user id or Facebook Page id")
        parser.add_argument("--name", required=True, help="Display name in the inbox")
        parser.add_argument("--team", required=True, help="Team name (created if missing)")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument(
            "--token-stdin",
            action="store_true",
            help="Read the token from standard input and store it encrypted",
        )
        source.add_argument(
            "--token-env",
            metavar="VARIABLE",
            help="Read the token now from this environment variable and store it encrypted",
        )
        source.add_argument(
            "--credentials-env",
            metavar="VARIABLE",
            help="Store only this variable's name (e.g. SVAR_CREDENTIAL_X_SKATTEFAR); the "
            "workers read the token from it at run time",
        )
        parser.add_argument("--handle", default="")
        parser.add_argument("--base-url", default="", help="API base URL (the simulator)")
        parser.add_argument("--poll-interval", type=int, default=30)

    def _token(self, options: dict[str, Any]) -> str | None:
        if options["token_stdin"]:
            if sys.stdin.isatty():
                self.stderr.write("Paste the access token and press Enter:")
            return sys.stdin.readline()
        if options["token_env"]:
            token = os.environ.get(options["token_env"])
            if not token:
                raise CommandError(f"The environment variable {options['token_env']} is not set.")
            return token
        return None

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            account = channel_account_create(
                platform=options["platform"],
                display_name=options["name"],
                external_id=options["external_id"],
                team_name=options["team"],
                credentials_ref=options["credentials_env"] or "",
                token=self._token(options),
                handle=options["handle"],
                base_url=options["base_url"],
                poll_interval_seconds=options["poll_interval"],
            )
        except InboxError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            self.style.SUCCESS(f"Channel account {account.pk} ({account}) is connected.")
        )
