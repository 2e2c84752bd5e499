"""Helpers for the e-mail channel's tests: mail to deliver, the account's mailbox settings."""

from __future__ import annotations

from email.message import EmailMessage

from tests.connectors.mail_servers import USER, DovecotServer, SmtpServer

CREDENTIAL = "SVAR_CREDENTIAL_MAIL_TEST"
CUSTOMER = "anna.berg@example.dk"


def mail_settings(dovecot: DovecotServer, smtp: SmtpServer) -> dict[str, object]:
    return {
        "imap_host": "127.0.0.1", "imap_port": dovecot.port, "imap_security": "none",
        "smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_security": "none",
        "organisation": "Skattestyrelsen", "timeout": 10,
    }  # fmt: skip


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
