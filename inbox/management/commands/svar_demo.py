"""Set up the demo world: teams, agents who sign their replies, the simulator's channel
accounts and a few conversations to answer. Safe to run at every start: rows are looked up by
their natural keys and the starter messages have fixed ids, so a second run changes nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from connectors.base import ContactRef, InboundMessage, Platform, ThreadKind
from connectors.simulator import demo
from inbox.models import Agent, ChannelAccount, Team
from inbox.roles import Role
from inbox.services import messages_ingest
from inbox.services.accounts import channel_account_create

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
        }


USERS = (
    DemoUser("mette", "Mette Jensen", "MJ", Role.AGENT, ("Skat",)),
    DemoUser("lars", "Lars Holm", "LH", Role.AGENT, ("Skat",)),
    DemoUser("sofie", "Sofie Berg", "SB", Role.AGENT, ("Told",)),
    DemoUser("maria", "Maria Nielsen", "MN", Role.MANAGER, ("Skat", "Told")),
    DemoUser("admin", "Anders Admin", "AA", Role.ADMIN, ("Skat", "Told")),
)


@dataclass(frozen=True)
class StarterThread:
    thread: str
    kind: ThreadKind
    customer: ContactRef
    # (minutes ago, from the account itself?, text)
    messages: tuple[tuple[int, bool, str], ...] = field(default=())


X_THREADS = (
    StarterThread(
        "demo-x-1",
        ThreadKind.PUBLIC,
        ContactRef("demo-x-kirsten", "Kirsten Madsen", "kirsten_m"),
        (
            (
                185,
                False,
                "@skattefar_demo Hej! Min årsopgørelse siger jeg skal betale 4.300 kr. "
                "tilbage, men jeg har ikke haft andre indtægter end min løn. Hvad gør jeg?",
            ),
        ),
    ),
    StarterThread(
        "demo-x-2",
        ThreadKind.PUBLIC,
        ContactRef("demo-x-erik", "Erik Lindqvist", "eriklindq"),
        (
            (
                95,
                False,
                "@skattefar_demo Hej, jag bor i Malmö och börjar jobba i Köpenhamn nästa månad. "
                "Ska jag betala skatt i Danmark eller Sverige?",
            ),
        ),
    ),
    StarterThread(
        "demo-x-3",
        ThreadKind.PUBLIC,
        ContactRef("demo-x-ingrid", "Ingrid Solberg", "ingrid_s"),
        (
            (
                300,
                False,
                "@skattefar_demo Hei! Jeg flytter fra Oslo til Aarhus i august. "
                "Trenger jeg et dansk skattekort fra første arbeidsdag?",
            ),
            (
                280,
                True,
                "@ingrid_s Ja, du skal have et skattekort, når du får et CPR-nummer. "
                "Bestil det på skat.dk, så slipper du for 55 % i skat. /Lars",
            ),
            (
                40,
                False,
                "@skattefar_demo Tak! Og hvordan fungerer det med fradrag for kørsel "
                "når jeg pendler 60 km hver dag?",
            ),
        ),
    ),
    StarterThread(
        "demo-x-dm-1",
        ThreadKind.PRIVATE,
        ContactRef("demo-x-peter", "Peter Hansen", "phansen"),
        (
            (
                25,
                False,
                "Hej, jeg har glemt at indberette et salg af aktier sidste år. "
                "Kan jeg stadig rette min årsopgørelse?",
            ),
        ),
    ),
)

FACEBOOK_THREADS = (
    StarterThread(
        "demo-fb-1",
        ThreadKind.PUBLIC,
        ContactRef("demo-fb-sarah", "Sarah Miller", ""),
        (
            (
                130,
                False,
                "Hi, I ordered a jacket from a shop in the US and now I'm asked to pay "
                "import VAT and a fee before delivery. Is that correct?",
            ),
        ),
    ),
    StarterThread(
        "demo-fb-2",
        ThreadKind.PUBLIC,
        ContactRef("demo-fb-jonas", "Jonas Petersen", ""),
        (
            (
                70,
                False,
                "Hvor meget vin må jeg tage med hjem fra Tyskland uden at betale afgift?",
            ),
        ),
    ),
    StarterThread(
        "demo-fb-dm-1",
        ThreadKind.PRIVATE,
        ContactRef("demo-fb-anna", "Anna Karlsson", ""),
        (
            (
                15,
                False,
                "Hej! Min pakke från Norge har fastnat i tullen. Vad behöver ni från mig "
                "för att släppa den?",
            ),
        ),
    ),
)


class Command(BaseCommand):
    help = "Create or refresh the demo teams, users, simulator channel accounts and conversations."

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

        # Accounts and conversations go through the services production uses (DESIGN.md §3);
        # each call is its own durable transaction, and replays of the fixed ids store nothing.
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
        stored = self._ingest(x_account, X_THREADS) + self._ingest(fb_account, FACEBOOK_THREADS)

        self.stdout.write(f"Demo data ready ({stored} new starter messages).")
        self.stdout.write("Demo logins (password for all: " + password + "):")
        for spec in USERS:
            teams_text = ", ".join(spec.teams)
            self.stdout.write(f"  {spec.username:<7} {spec.role.value:<8} {teams_text}")

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

    def _ingest(self, account: ChannelAccount, threads: tuple[StarterThread, ...]) -> int:
        now = timezone.now()
        own = ContactRef(account.external_id, account.display_name, account.handle)
        messages = [
            InboundMessage(
                external_id=f"{thread.thread}-{number}",
                thread_external_id=thread.thread,
                kind=thread.kind,
                author=own if from_account else thread.customer,
                body=text,
                sent_at=now - timedelta(minutes=minutes_ago),
                from_account=from_account,
            )
            for thread in threads
            for number, (minutes_ago, from_account, text) in enumerate(thread.messages, 1)
        ]
        return messages_ingest(account_id=account.pk, messages=messages).created
