"""Connecting a mailbox by script: the servers as mail settings, the password as the account's
token (sealed, or named by a variable), and the first poll reading the real Dovecot."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from connectors import jobs
from inbox.management.demo_mailbox import demo_mailbox_accounts
from inbox.models import ChannelAccount, Conversation
from tests.connectors.email_support import mail, mail_settings
from tests.connectors.mail_servers import USER, free_port
from tests.factories import TeamFactory
from tests.web.channels_support import signed_in

pytest_plugins = ["tests.connectors.mail_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)


def add_mailbox(settings: dict[str, object], *extra: str) -> None:
    call_command(
        "svar_add_account", "--platform", "email", "--external-id", USER,
        "--name", "Kundeservice", "--team", "Skat", "--credentials-env",
        "SVAR_CREDENTIAL_MAIL_TEST", "--mail-settings", json.dumps(settings), *extra,
    )  # fmt: skip


def test_a_mailbox_added_by_script_is_polled(dovecot, smtp, monkeypatch):
    monkeypatch.setenv("SVAR_CREDENTIAL_MAIL_TEST", "svar-test-mailbox")
    add_mailbox(mail_settings(dovecot, smtp))
    dovecot.deliver(mail())

    account = ChannelAccount.objects.get()
    assert account.mail_settings["imap_port"] == dovecot.port
    assert account.mail_settings["sent_folder"] == "Sent"
    assert jobs.poll_account(account.pk).startswith("stored 1")
    assert Conversation.objects.get().subject == "Årsopgørelse"


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({"smtp_host": "smtp.example.dk"}, "imap_host"),
        ({"imap_host": "i", "smtp_host": "s", "imap_security": "rot13"}, "rot13"),
        ({"imap_host": "i", "smtp_host": "s", "password": "hunter2"}, "never a mail setting"),
    ],
)
def test_bad_mail_settings_are_refused_with_the_reason(settings, complaint):
    with pytest.raises(CommandError, match=complaint):
        add_mailbox(settings)
    assert not ChannelAccount.objects.exists()


def test_the_channels_page_lists_the_mailbox(dovecot, smtp, admin_agent, monkeypatch):
    monkeypatch.setenv("SVAR_CREDENTIAL_MAIL_TEST", "svar-test-mailbox")
    add_mailbox(mail_settings(dovecot, smtp))

    response = signed_in(admin_agent).get("/channels/")

    assert response.status_code == 200
    assert "Kundeservice" in response.content.decode()
    assert "E-mail" in response.content.decode()


def test_the_demo_mailbox_serves_the_demo_account(monkeypatch):
    """``./svar run``'s demo mailbox, as a process, and the account svar_demo connects to it."""
    imap_port, smtp_port = free_port(), free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "connectors.email.demo_mailbox", "--imap-port", str(imap_port),
         "--smtp-port", str(smtp_port), "--per-minute", "600"],
    )  # fmt: skip
    try:
        monkeypatch.setenv("SVAR_DEMO_MAILBOX", f"{imap_port}:{smtp_port}")
        monkeypatch.setenv("SVAR_CREDENTIAL_EMAIL_DEMO", "svar-test-mailbox")
        TeamFactory(name="Skat")
        (account,) = demo_mailbox_accounts()
        deadline = time.monotonic() + 30
        while not Conversation.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
            jobs.poll_account(account.pk)
            ChannelAccount.objects.update(next_poll_at=None)
        assert Conversation.objects.filter(account=account).exists()
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_profile_page_keeps_an_e_mail_signature(agent):
    client = signed_in(agent)
    response = client.post("/profile/", {
        "public_name": "Mette Jensen", "initials": "MJ", "signature_x": "",
        "signature_facebook": "", "signature_email": "\n\n-- \n{name}\nSkattestyrelsen",
        "language": "",
    })  # fmt: skip

    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.signatures["email"] == "\n\n-- \n{name}\nSkattestyrelsen"
    page = client.get("/profile/").content.decode()
    assert "Signature in e-mails" in page
    assert "Mette Jensen<br>Skattestyrelsen" in page  # the e-mail preview
