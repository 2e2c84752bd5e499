"""From an empty database to an answered question, in a real browser: the first admin (a
superuser, as ``createsuperuser`` makes one) is guided to their profile and a team, connects the
team's X account, invites an agent; the agent opens the link from the e-mail the server wrote,
chooses a password and answers a customer's question, which the worker posts to the platform.

Svar runs as deployed: uvicorn and an RQ worker in their own processes, the platform simulator
over HTTP, the server's mail written to files in a directory of this test's own."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message as EmailMessage
from pathlib import Path

import django_rq
import pytest
from django.contrib.auth.models import User

from connectors.simulator import demo
from connectors.simulator.server import Simulator, SimulatorServer
from connectors.simulator.x.app import XApp
from inbox.models import Agent, Team
from inbox.permissions.roles import role_names_of
from inbox.services.accounts import channel_account_create
from tests.connectors.worker_support import WorkerProcess
from tests.web.browser_support import (
    CUSTOMER,
    LIVE_TIMEOUT_MS,
    expect,
    new_page,
    open_conversation,
    row,
    shot,
    wait_live,
)
from tests.web.servers import AsgiServer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.browser]

CREDENTIAL = "SVAR_CREDENTIAL_X_FIRST_RUN"
ROOT_PASSWORD = "first admin passphrase 2026"
AGENT_PASSWORD = "karens own passphrase 2026"


@dataclass
class EmptySvar:
    server: AsgiServer
    sim: XApp
    sim_url: str
    mail_dir: Path

    @property
    def base_url(self) -> str:
        return self.server.origin

    def mails(self) -> list[EmailMessage]:
        """Every message the server sent (the file backend writes one file per connection)."""
        found = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if raw.strip():
                    found.append(message_from_bytes(raw.strip()))
        return found


@pytest.fixture
def empty_svar(
    channel_prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[EmptySvar]:
    """No team, no account, no agent: one superuser, and Svar under uvicorn with a worker."""
    django_rq.get_connection("default").flushdb()
    User.objects.create_superuser("root", "root@example.dk", ROOT_PASSWORD)
    app = XApp()
    app.add_account(demo.X_ACCOUNT_ID, demo.X_ACCOUNT_USERNAME, demo.X_ACCOUNT_NAME, demo.X_TOKEN)
    sim_server = SimulatorServer(Simulator([app])).start()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    monkeypatch.setenv("EMAIL_FILE_PATH", str(mail_dir))
    monkeypatch.setenv(CREDENTIAL, demo.X_TOKEN)
    server = AsgiServer().start()
    worker = WorkerProcess(
        env={CREDENTIAL: demo.X_TOKEN, "SVAR_CHANNEL_PREFIX": channel_prefix}, name="first-run"
    )
    try:
        yield EmptySvar(server, app, sim_server.base_url, mail_dir)
    finally:
        worker.stop()
        server.stop()
        sim_server.stop()


def test_the_first_admin_sets_up_svar_and_an_invited_agent_answers(empty_svar, chromium, contexts):
    svar = empty_svar
    admin = new_page(chromium, contexts)
    admin.goto(f"{svar.base_url}/")
    admin.get_by_label("Username").fill("root")
    admin.get_by_label("Password").fill(ROOT_PASSWORD)
    admin.get_by_role("button", name="Log in").click()

    # (0) A superuser without a profile is offered one, not a refusal.
    expect(admin).to_have_url(f"{svar.base_url}/welcome/")
    expect(admin.get_by_role("heading", name="Set up Svar")).to_be_visible()
    shot(admin, "first-run-profile")
    admin.get_by_label("Your public name").fill("Rikke Rod")
    admin.get_by_label("Your initials").fill("RR")
    admin.get_by_role("button", name="Create my profile").click()
    expect(admin.locator(".flash")).to_contain_text("Your agent profile is ready.")

    # (1) A team: a taken name would be refused beside the field; this one is new.
    admin.get_by_label("Team name").fill("Kundeservice")
    admin.get_by_role("button", name="Create the team").click()
    expect(admin.locator("#step-team")).to_contain_text("done")

    # (2) The team's X account, connected as an admin does from the command line (or the
    # Channels page where Svar has one); the guide sees it.
    expect(admin.locator("#step-channel")).to_contain_text("Connect a channel account")
    channel_account_create(
        platform="x", display_name="@skattefar_demo", external_id=demo.X_ACCOUNT_ID,
        team_name="Kundeservice", credentials_ref=CREDENTIAL, handle=demo.X_ACCOUNT_USERNAME,
        base_url=svar.sim_url, poll_interval_seconds=5,
    )  # fmt: skip
    admin.reload()
    expect(admin.locator("#step-channel")).to_contain_text("done")

    # (3) A colleague, invited from the guide; the guide takes the admin back.
    admin.get_by_role("link", name="Invite a colleague").click()
    admin.get_by_label("E-mail address").fill("karen@example.dk")
    admin.get_by_label("Public name").fill("Karen Lund")
    admin.get_by_label("Initials").fill("KL")
    admin.get_by_label("Kundeservice").check()
    expect(admin.get_by_label("Agent: answers conversations")).to_be_checked()
    shot(admin, "first-run-invite")
    admin.get_by_role("button", name="Send the invitation").click()
    expect(admin).to_have_url(f"{svar.base_url}/welcome/")
    expect(admin.locator(".flash")).to_contain_text("karen@example.dk")
    expect(admin.get_by_role("heading", name="Svar is ready")).to_be_visible()
    admin.get_by_role("button", name="Go to the inbox").click()
    wait_live(admin)
    admin.get_by_role("link", name="People").click()
    expect(admin.locator("#invitations")).to_contain_text("karen@example.dk")
    shot(admin, "people")

    # The agent: the link from the e-mail the server sent.
    [mail] = svar.mails()
    assert mail["To"] == "karen@example.dk"
    body = mail.get_payload(decode=True).decode()
    link = re.search(rf"{re.escape(svar.base_url)}/invitation/[\w-]+/", body).group(0)
    karen = new_page(chromium, contexts)
    karen.goto(link)
    expect(karen.locator("#invited-by")).to_contain_text("Rikke Rod invited you")
    expect(karen.locator("#invited-by")).to_contain_text("Kundeservice")
    karen.get_by_label("Choose a password").fill("kort")
    karen.get_by_label("The same password again").fill("kort")
    karen.get_by_role("button", name="Set the password and sign in").click()
    expect(karen.get_by_role("alert")).to_contain_text("too short")
    karen.get_by_label("Choose a password").fill(AGENT_PASSWORD)
    karen.get_by_label("The same password again").fill(AGENT_PASSWORD)
    shot(karen, "invitation")
    karen.get_by_role("button", name="Set the password and sign in").click()
    expect(karen).to_have_url(f"{svar.base_url}/")
    wait_live(karen)

    # A customer asks; the worker brings the question in; Karen answers under her name.
    svar.sim.add_mention(demo.X_ACCOUNT_ID, CUSTOMER, "Hvornår kommer min årsopgørelse?")
    expect(row(karen, "Kirsten Madsen")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    open_conversation(karen, "Kirsten Madsen")
    karen.locator("#composer-body").fill("Den kommer i marts.")
    karen.get_by_role("button", name="Send", exact=True).click()
    sent = karen.locator(".entry.outbound", has_text="Den kommer i marts.")
    expect(sent).to_have_attribute("data-state", "sent", timeout=LIVE_TIMEOUT_MS)
    posted = [t["text"] for t in svar.sim.posted_replies(demo.X_ACCOUNT_ID)]
    assert [text for text in posted if text.endswith("Den kommer i marts. /Karen Lund")], posted

    # The link is spent; Karen is an agent of the one team.
    spent = new_page(chromium, contexts)
    spent.goto(link)
    expect(spent.get_by_role("alert")).to_contain_text("This invitation link is not valid")
    agent = Agent.objects.get(public_name="Karen Lund")
    assert [t.name for t in agent.teams.all()] == ["Kundeservice"]
    assert role_names_of(agent.user) == ["agent"]
    assert Team.objects.count() == 1
