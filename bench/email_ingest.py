"""Benchmark of e-mail ingest: messages/s from a real Dovecot into the inbox, beside the raw
IMAP fetch rate of the same mailbox in the same run (A-B-A).

    python -m bench.email_ingest [--messages 3000]

A private Dovecot (tests/connectors/mail_servers.py) gets N customer mails by IMAP APPEND:
many customers, a third of them replies carrying In-Reply-To/References, some with a reply
prefix only. Then, in this order:

A. raw IMAP: ``UID FETCH BODY.PEEK[]`` of every message in chunks of 50 with ``imaplib`` (the
   floor: what the server and the socket cost, no parsing);
B. the connector alone: ``EmailConnector.fetch`` pages until the cursor has read everything
   (IMAP plus parsing with ``email``/``policy.default``, HTML to text);
C. end to end: the poll job's body (``connectors.jobs._poll_once``) until every message is
   stored: IMAP, parsing, threading, the bulk ingest into PostgreSQL with its events;
A again.

Figures: messages/s, and this process's CPU per message (``time.process_time``; Dovecot's
and PostgreSQL's CPU are not counted) with the load average before and after, since other
work shares the machine. It measures and reports; it asserts nothing.
Results: bench/results/email_ingest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from bench.ingest_database import REPO, recreate_database, setup_django
from tests.connectors.mail_servers import PASSWORD, USER, DovecotServer

RESULTS = REPO / "bench" / "results" / "email_ingest.json"
DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/svar_email_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/5"
CUSTOMERS = 500


def workload(count: int) -> list[bytes]:
    mails = []
    for n in range(count):
        customer = n % CUSTOMERS
        message = EmailMessage()
        message["From"] = f"Kunde {customer} <kunde{customer}@example.dk>"
        message["To"] = USER
        message["Date"] = "Sat, 05 Dec 2026 10:00:00 +0100"
        message["Message-ID"] = f"<m{n}@example.dk>"
        first = n - CUSTOMERS  # this customer's previous mail
        if first >= 0 and n % 3 == 0:
            message["Subject"] = f"SV: Spørgsmål {customer}"
            message["In-Reply-To"] = f"<m{first}@example.dk>"
            message["References"] = f"<m{first}@example.dk>"
        elif first >= 0 and n % 3 == 1:
            message["Subject"] = f"Re: Spørgsmål {customer}"  # a client that drops the headers
        else:
            message["Subject"] = f"Spørgsmål {customer}" if first < 0 else f"Nyt emne {n}"
        message.set_content(f"Hej Skat,\n\nJeg har et spørgsmål om min årsopgørelse ({n}).\n")
        if n % 5 == 0:
            message.add_alternative(f"<p>Hej <b>Skat</b></p><p>Spørgsmål {n}</p>", subtype="html")
        mails.append(message.as_bytes())
    return mails


def deliver(server: DovecotServer, mails: list[bytes]) -> None:
    with server.mailbox() as box:
        for raw in mails:
            box.append(raw, "INBOX", flag_set=())


def _timed(run: Any) -> dict[str, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    count = run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"messages": count, "seconds": round(wall, 3),
            "messages_per_s": round(count / wall, 1),
            "cpu_ms_per_message": round(cpu * 1000 / max(count, 1), 3)}  # fmt: skip


def raw_fetch(server: DovecotServer) -> int:
    from connectors.email.servers import uid_fetch

    with server.mailbox() as box:
        box.folder.set("INBOX", readonly=True)
        uids = sorted(map(int, box.uids("ALL")))
        fetched = 0
        for start in range(0, len(uids), 50):
            fetched += len(uid_fetch(box, uids[start : start + 50], "BODY.PEEK[]"))
    return fetched


def connector_fetch(server: DovecotServer) -> int:
    from connectors.email.config import MailSettings
    from connectors.email.connector import EmailConnector

    settings = MailSettings(address=USER, imap_host="127.0.0.1", imap_port=server.port,
                            imap_security="none", smtp_host="127.0.0.1")  # fmt: skip
    connector = EmailConnector(settings, PASSWORD)
    cursor: dict[str, str] = {}
    parsed = 0
    while True:
        result = connector.fetch(cursor)
        parsed += len(result.messages)
        cursor = dict(result.cursor)
        if not result.more_pending:
            return parsed


def end_to_end(server: DovecotServer) -> int:
    from connectors import jobs
    from inbox.models import ChannelAccount, Message, Team

    team, _ = Team.objects.get_or_create(name="Skat")
    account = ChannelAccount.objects.create(
        platform="email", display_name="Kundeservice", external_id=USER, team=team,
        credentials_ref="SVAR_CREDENTIAL_MAIL_BENCH", mail_settings={
            "imap_host": "127.0.0.1", "imap_port": server.port, "imap_security": "none",
            "smtp_host": "127.0.0.1", "smtp_security": "none"},
    )  # fmt: skip
    os.environ["SVAR_CREDENTIAL_MAIL_BENCH"] = PASSWORD
    while jobs._poll_once(account.pk)[1]:
        pass
    return Message.objects.filter(account=account).count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--dsn", default=DEFAULT_DSN)
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    options = parser.parse_args()
    recreate_database(options.dsn)
    setup_django(options.dsn, options.redis)
    server = DovecotServer().start()
    try:
        deliver(server, workload(options.messages))
        load_before = os.getloadavg()
        report = {
            "raw_imap_fetch_before": _timed(lambda: raw_fetch(server)),
            "connector_fetch_and_parse": _timed(lambda: connector_fetch(server)),
            "end_to_end_poll_to_postgres": _timed(lambda: end_to_end(server)),
            "raw_imap_fetch_after": _timed(lambda: raw_fetch(server)),
        }
        report |= _facts(options.messages, load_before)
    finally:
        server.stop()
    _print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")


def _facts(count: int, load_before: tuple[float, ...]) -> dict[str, Any]:
    from inbox.models import Conversation

    return {
        "messages_delivered": count,
        "conversations": Conversation.objects.count(),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _print(report: dict[str, Any]) -> None:
    print(f"{'stage':<32}{'messages':>10}{'seconds':>10}{'messages/s':>12}{'CPU ms/msg':>12}")
    for stage, row in report.items():
        if isinstance(row, dict):
            print(f"{stage:<32}{row['messages']:>10}{row['seconds']:>10}"
                  f"{row['messages_per_s']:>12}{row['cpu_ms_per_message']:>12}")  # fmt: skip
    print(f"conversations {report['conversations']}; load {report['load_before']} → "
          f"{report['load_after']} on {report['cpus']} CPUs")  # fmt: skip


if __name__ == "__main__":
    main()
