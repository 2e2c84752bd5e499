"""Set up the demo world: teams, agents who sign their replies, and the simulator's channel
accounts. Conversations are not made here: the simulator holds the citizens' questions and the
workers poll them in, through the same path as production, so every demo reply can really be
delivered. Safe to run at every start: rows are looked up by their natural keys.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from connectors.base import Platform
from connectors.simulator import demo
from inbox.management.demo_mailbox import demo_mailbox_accounts
from inbox.management.demo_oauth import demo_accounts_connect
from inbox.models import Agent, ChannelAccount, Team
from inbox.permissions.roles import Role
from inbox.services.accounts import channel_account_create
from inbox.services.channels.apps import oauth_configured

DEFAULT_PASSWORD = "svar-demo"
DEFAULT_SIMULATOR_URL = "http://127.0.0.1:8700"


@dataclass(frozen=True)
class DemoUser:
    username: str
    public_name: str
    initials: str
    role: Role
    teams: tuple[str, ...]

    @property
    def signatures(self) -> dict[str, str]:
        first = self.public_name.split()[0]
        return {
            Platform.X.value: f" /{first}",
            Platform.FACEBOOK.value: f"\n\nVenlig hilsen {first}, Kundeservice",
            Platform.EMAIL.value: f"\n\nVenlig hilsen\n{self.public_name}\nKundeservice",
            Platform.INSTAGRAM.value: f" /{first}",
        }


USERS = (
    DemoUser("mette", "Mette Jensen", "MJ", Role.AGENT, ("Skat",)),
    DemoUser("lars", "Lars Holm", "LH", Role.AGENT, ("Skat",)),
    DemoUser("sofie", "Sofie Berg", "SB", Role.AGENT, ("Told",)),
    DemoUser("maria", "Maria Nielsen", "MN", Role.MANAGER, ("Skat", "Told")),
    DemoUser("admin", "Anders Admin", "AA", Role.ADMIN, ("Skat", "Told")),
)


class Command(BaseCommand):
    help = "Create or refresh the demo teams, users and simulator channel accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("SVAR_DEMO_PASSWORD") or DEFAULT_PASSWORD
        simulator_url = os.environ.get("SVAR_SIMULATOR_URL") or DEFAULT_SIMULATOR_URL
        missing = {r.value for r in Role} - set(Group.objects.values_list("name", flat=True))
        if missing:
            raise CommandError(f"role groups {sorted(missing)} are missing: run migrate first")

        with transaction.atomic():
            teams = {name: Team.objects.get_or_create(name=name)[0] for name in ("Skat", "Told")}
            for spec in USERS:
                self._ensure_user(spec, teams, password)

        accounts = self._accounts(simulator_url, teams) + demo_mailbox_accounts()
        names = " and ".join(str(account) for account in accounts)
        self.stdout.write(
            f"Demo data ready: {names} read from the simulator at "
            f"{simulator_url}; its citizens' questions arrive with the first polls."
        )
        self.stdout.write("Demo logins (password for all: " + password + "):")
        for spec in USERS:
            teams_text = ", ".join(spec.teams)
            self.stdout.write(f"  {spec.username:<7} {spec.role.value:<8} {teams_text}")

    def _accounts(self, simulator_url: str, teams: dict[str, Team]) -> list[ChannelAccount]:
        """Through the simulator's OAuth when the OAuth apps point at it (``./svar run``: the
        simulator is up first), else with the simulator's fixed tokens from the environment.
        Either way through the services production uses (docs/architecture.md §3)."""
        if oauth_configured(Platform.X) and oauth_configured(Platform.FACEBOOK):
            admin = User.objects.get(username="admin")
            return demo_accounts_connect(admin=admin, x_team=teams["Skat"],
                                         facebook_team=teams["Told"])  # fmt: skip
        x_account = channel_account_create(
            platform=Platform.X.value,
            external_id=demo.X_ACCOUNT_ID,
            display_name=f"@{demo.X_ACCOUNT_USERNAME}",
            handle=demo.X_ACCOUNT_USERNAME,
            team_name="Skat",
            credentials_ref=demo.X_CREDENTIAL_ENV,
            base_url=simulator_url,
        )
        fb_account = channel_account_create(
            platform=Platform.FACEBOOK.value,
            external_id=demo.FACEBOOK_PAGE_ID,
            display_name=demo.FACEBOOK_PAGE_NAME,
            team_name="Told",
            credentials_ref=demo.FACEBOOK_CREDENTIAL_ENV,
            base_url=simulator_url,
        )
        ig_account = channel_account_create(
            platform=Platform.INSTAGRAM.value,
            external_id=demo.INSTAGRAM_ACCOUNT_ID,
            display_name=f"@{demo.INSTAGRAM_USERNAME}",
            handle=demo.INSTAGRAM_USERNAME,
            team_name="Skat",
            credentials_ref=demo.INSTAGRAM_CREDENTIAL_ENV,
            base_url=simulator_url,
        )
        return [x_account, fb_account, ig_account]

    def _ensure_user(self, spec: DemoUser, teams: dict[str, Team], password: str) -> None:
        is_admin = spec.role == Role.ADMIN
        user, _ = User.objects.update_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.public_name.split()[0],
                "last_name": spec.public_name.split()[-1],
                "email": f"{spec.username}@svar.invalid",
                "is_staff": is_admin,
                "is_superuser": is_admin,
                "is_active": True,
            },
        )
        # Re-hashing on every start would change the hash and end everyone's sessions.
        if not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        user.groups.set([Group.objects.get(name=spec.role.value)])
        agent, _ = Agent.objects.update_or_create(
            user=user,
            defaults={
                "public_name": spec.public_name,
                "initials": spec.initials,
                "signatures": spec.signatures,
            },
        )
        agent.teams.set([teams[name] for name in spec.teams])
