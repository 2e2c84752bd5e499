"""The demo mailbox of ``./svar run``: a private Dovecot (IMAP) the demo e-mail account reads,
an SMTP server on 127.0.0.1 that accepts the agents' replies (and prints who they went to),
and citizens' e-mails arriving a few a minute, some of them answers in an earlier thread.

    python -m connectors.email.demo_mailbox --imap-port 8743 --smtp-port 8725

Started only when Dovecot is installed (Debian: ``dovecot-imapd``); it needs no root. The demo
account (``manage.py svar_demo`` with ``SVAR_DEMO_MAILBOX`` set) logs in as ``USER`` with the
password in ``SVAR_CREDENTIAL_EMAIL_DEMO``.
"""

from __future__ import annotations

import argparse
import itertools
import random
import signal
import sys
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from types import FrameType

from connectors.email.dovecot import USER, DovecotServer

CREDENTIAL_ENV = "SVAR_CREDENTIAL_EMAIL_DEMO"
CITIZENS = (
    ("Anna Berg", "anna.berg@example.dk", "Årsopgørelse",
     "Hej Skat\n\nHvornår kommer min årsopgørelse? Jeg er flyttet i år.\n\nMvh Anna"),
    ("Jonas Lind", "jonas.lind@example.se", "Dansk skattekort",
     "Hej!\n\nJag pendlar från Malmö till København. Behöver jag ett danskt skattekort?\n\nJonas"),
    ("Kari Nordmann", "kari@example.no", "Fradrag for reiser",
     "Hei\n\nKan jeg trekke fra reiser mellom Oslo og København?\n\nKari"),
    ("Peter Holm", "peter.holm@example.com", "Refund",
     "Hello\n\nI paid too much tax last year. How do I get a refund?\n\nPeter"),
)  # fmt: skip


def question(name: str, address: str, subject: str, text: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"{name} <{address}>"
    message["To"] = USER
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=address.partition("@")[2])
    message.set_content(text)
    return message


def follow_up(earlier: EmailMessage) -> EmailMessage:
    name, _, address = str(earlier["From"]).partition(" <")
    message = question(name, address.rstrip(">"), f"SV: {earlier['Subject']}",
                       "Hej igen\n\nHar I set min mail?\n")  # fmt: skip
    message["In-Reply-To"] = earlier["Message-ID"]
    message["References"] = earlier["Message-ID"]
    return message


def serve(imap_port: int, smtp_port: int, per_minute: float) -> None:
    from aiosmtpd.controller import Controller

    class PrintingSink:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
            recipients = ", ".join(envelope.rcpt_tos)  # type: ignore[attr-defined]
            print(f"demo mailbox: a reply was sent to {recipients}", flush=True)
            return "250 OK"

    mailbox = DovecotServer(port=imap_port).start()
    smtp = Controller(PrintingSink(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()

    def stop(signum: int, frame: FrameType | None) -> None:
        smtp.stop()
        mailbox.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"demo mailbox: IMAP 127.0.0.1:{imap_port}, SMTP 127.0.0.1:{smtp_port}", flush=True)
    sent: list[EmailMessage] = []
    for spec in itertools.cycle(CITIZENS):
        mail = follow_up(random.choice(sent)) if sent and random.random() < 0.3 else question(*spec)
        mailbox.deliver(mail)
        sent.append(mail)
        time.sleep(60 / per_minute)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--imap-port", type=int, default=8743)
    parser.add_argument("--smtp-port", type=int, default=8725)
    parser.add_argument("--per-minute", type=float, default=2.0)
    options = parser.parse_args()
    serve(options.imap_port, options.smtp_port, options.per_minute)


if __name__ == "__main__":
    main()
