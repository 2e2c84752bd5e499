"""Fixtures for the e-mail channel's tests (``pytest_plugins``): a real Dovecot and a real SMTP
server per test, and a channel account reading the one and sending through the other."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from inbox.models import ChannelAccount, Team
from tests.connectors.email_support import CREDENTIAL, mail_settings
from tests.connectors.mail_servers import (
    PASSWORD,
    USER,
    DovecotServer,
    SmtpServer,
    dovecot_available,
)


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
