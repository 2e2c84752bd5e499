"""Connect a channel account (an X account or a Facebook Page) to a team's inbox, for scripted
set-ups; admins connect accounts through OAuth on the Channels page."""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from connectors.base import Platform
from inbox.exceptions import InboxError
from inbox.models import TokenKind
from inbox.services.accounts import channel_account_create


class Command(BaseCommand):
    help = (
        "Add or update a channel account. The access token is read from standard input "
        "(--token-stdin) or from an environment variable, and stored encrypted; or, with "
        "--credentials-env, the workers read it from that variable at run time. A token is "
        "never a command-line argument: argv is visible to every user of the machine. "
        "Which token: X needs an OAuth 2.0 user token with the scopes tweet.read, tweet.write, "
        "dm.read, dm.write, users.read and offline.access (an app-only bearer token reads "
        "mentions but cannot read DMs or post); give its refresh token (--refresh-token-env) "
        "and lifetime (--expires-in) and the workers renew it (SVAR_X_CLIENT_ID and "
        "SVAR_X_CLIENT_SECRET set). Facebook needs a Page token whose tasks include MODERATE "
        "and MESSAGING."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--platform", required=True, choices=[p.value for p in Platform])
        parser.add_argument(
            "--external-id", required=True, help="X user id, Facebook Page id or e-mail address"
        )
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
        parser.add_argument(
            "--token-kind",
            choices=[TokenKind.APP_BEARER, TokenKind.X_USER, TokenKind.FACEBOOK_PAGE,
                     TokenKind.MANUAL],
            default=TokenKind.MANUAL,
            help="What the token is (shown on the Channels page); a refresh token implies x_user",
        )  # fmt: skip
        parser.add_argument(
            "--refresh-token-env",
            metavar="VARIABLE",
            help="X, or e-mail on XOAUTH2 with an oauth_provider: read the OAuth 2.0 refresh "
            "token from this variable; stored encrypted, and the workers renew the access token",
        )
        parser.add_argument(
            "--mail-settings",
            type=json.loads,
            metavar="JSON",
            help='E-mail: the servers, e.g. {"imap_host": "imap.example.dk", "smtp_host": '
            '"smtp.example.dk", "organisation": "Skattestyrelsen"} (connectors/email/config.py); '
            'the token is the mailbox password (or an OAuth2 token with "auth": "xoauth2")',
        )
        parser.add_argument(
            "--expires-in",
            type=int,
            metavar="SECONDS",
            help="X or e-mail OAuth: seconds the access token has left (X issues 7200, "
            "Microsoft and Google about 3600)",
        )

    def _refresh_token(self, options: dict[str, Any]) -> str | None:
        variable = options["refresh_token_env"]
        if not variable:
            return None
        token = os.environ.get(variable)
        if not token:
            raise CommandError(f"The environment variable {variable} is not set.")
        return token

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
        expires_in = options["expires_in"]
        expires_at = timezone.now() + timedelta(seconds=expires_in) if expires_in else None
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
                token_kind=options["token_kind"],
                refresh_token=self._refresh_token(options),
                token_expires_at=expires_at,
                mail_settings=options["mail_settings"],
            )
        except InboxError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            self.style.SUCCESS(f"Channel account {account.pk} ({account}) is connected.")
        )
