"""Fixtures for the e-mail channel's tests: a real Dovecot and a real SMTP server per test, and
a channel account reading the one and sending through the other."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from inbox.models import ChannelAccount, Team
from tests.connectors.mail_servers import (
    PASSWORD,
    USER,
    DovecotServer,
    SmtpServer,
    dovecot_available,
)

CREDENTIAL = "SVAR_CREDENTIAL_MAIL_TEST"
CUSTOMER = "anna.berg@example.dk"


@pytest.fixture
def dovecot() -> Iterator[DovecotServer]:
    if not dovecot_available():
        pytest.fail("Dovecot is not installed (.ci/run installs dovecot-imapd)")
    server = DovecotServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def mail_settings(dovecot: DovecotServer, smtp: SmtpServer) -> dict[str, object]:
    return {
        "imap_host": "127.0.0.1", "imap_port": dovecot.port, "imap_security": "none",
        "smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_security": "none",
        "organisation": "Skattestyrelsen", "timeout": 10,
    }  # fmt: skip


@pytest.fixture
def mail_account(
    dovecot: DovecotServer, smtp: SmtpServer, team: Team, monkeypatch: pytest.MonkeyPatch
) -> ChannelAccount:
    monkeypatch.setenv(CREDENTIAL, PASSWORD)
    return ChannelAccount.objects.create(
        platform="email", display_name="Kundeservice", external_id=USER, team=team,
        credentials_ref=CREDENTIAL, mail_settings=mail_settings(dovecot, smtp),
        poll_interval_seconds=5,
    )  # fmt: skip


def mail(
    text: str = "Hej, hvornår kommer min årsopgørelse?",
    *,
    sender: str = f"Anna Berg <{CUSTOMER}>",
    subject: str = "Årsopgørelse",
    message_id: str | None = "<q1@example.dk>",
    in_reply_to: str | None = None,
    references: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = USER
    message["Subject"] = subject
    message["Date"] = "Sat, 05 Dec 2026 10:00:00 +0100"
    if message_id:
        message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    return message
