"""The demo e-mail account: the demo mailbox of ``./svar run`` (connectors/email/demo_mailbox.py),
connected when ``SVAR_DEMO_MAILBOX`` names its ports ("<imap port>:<smtp port>")."""

from __future__ import annotations

import os

from connectors.base import Platform
from connectors.email.demo_mailbox import CREDENTIAL_ENV
from connectors.email.dovecot import USER
from inbox.models import ChannelAccount
from inbox.services.accounts import channel_account_create

DEMO_MAILBOX_ENV = "SVAR_DEMO_MAILBOX"


def demo_mailbox_accounts() -> list[ChannelAccount]:
    ports = os.environ.get(DEMO_MAILBOX_ENV, "")
    imap_port, _, smtp_port = ports.partition(":")
    if not (imap_port.isdigit() and smtp_port.isdigit()):
        return []
    settings = {
        "imap_host": "127.0.0.1", "imap_port": int(imap_port), "imap_security": "none",
        "smtp_host": "127.0.0.1", "smtp_port": int(smtp_port), "smtp_security": "none",
        "organisation": "Skattestyrelsen",
    }  # fmt: skip
    return [
        channel_account_create(
            platform=Platform.EMAIL.value,
            external_id=USER,
            display_name="Kundeservice (e-mail)",
            team_name="Skat",
            credentials_ref=CREDENTIAL_ENV,
            poll_interval_seconds=10,
            mail_settings=settings,
        )  # fmt: skip
    ]
