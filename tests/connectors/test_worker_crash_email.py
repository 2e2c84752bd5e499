"""The SIGKILL drill for e-mail: a worker killed in the middle of an IMAP poll and of an SMTP
delivery loses and duplicates nothing (real worker processes, a real Dovecot and a real SMTP
server behind a proxy that holds one command long enough for the kill, the test database and
Redis)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import pytest

from connectors import jobs
from inbox.models import ChannelAccount, Conversation, DeliveryState, Message
from inbox.services import reply_create
from tests.connectors.email_support import CREDENTIAL, mail, mail_settings
from tests.connectors.mail_servers import PASSWORD, USER, free_port
from tests.connectors.worker_support import WorkerProcess, wait_for

pytest_plugins = ["tests.connectors.mail_fixtures"]
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
MAILS = 40
REPLIES = 3
HOLD_SECONDS = 8


class StallingProxy:
    """A TCP proxy that, the first time a client sends ``trigger`` (upper case; any case
    matches), holds that data for a while
    before passing it on (``stalled`` is set meanwhile): a server slow to answer one command.
    Every other connection, and every later command, passes straight through."""

    def __init__(self, target_port: int, trigger: bytes) -> None:
        self.target_port, self.trigger = target_port, trigger
        self.stalled = threading.Event()
        self.port = free_port()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._serve, daemon=True).start()

    def stop(self) -> None:
        self.listener.close()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._pipe, args=(client,), daemon=True).start()

    def _pipe(self, client: socket.socket) -> None:
        server = socket.create_connection(("127.0.0.1", self.target_port))

        def upstream() -> None:
            with contextlib.suppress(OSError):
                while data := client.recv(65536):
                    if self.trigger in data.upper() and not self.stalled.is_set():
                        self.stalled.set()
                        time.sleep(HOLD_SECONDS)
                    server.sendall(data)
            with contextlib.suppress(OSError):
                server.shutdown(socket.SHUT_WR)

        threading.Thread(target=upstream, daemon=True).start()
        with contextlib.suppress(OSError):
            while data := server.recv(65536):
                client.sendall(data)
        for end in (client, server):
            with contextlib.suppress(OSError):
                end.close()


def test_killed_workers_resume_with_every_mail_once_and_every_reply_sent_once(
    dovecot, smtp, team, agent, clean_queues, monkeypatch
):
    monkeypatch.setenv(CREDENTIAL, PASSWORD)
    imap = StallingProxy(dovecot.port, trigger=b"BODY.PEEK[]")
    outbox = StallingProxy(smtp.port, trigger=b"RCPT TO")  # smtplib writes "rcpt TO"
    settings = {**mail_settings(dovecot, smtp), "imap_port": imap.port, "smtp_port": outbox.port}
    dovecot.deliver(mail())
    account = ChannelAccount.objects.create(
        platform="email", display_name="Kundeservice", external_id=USER,
        team=team, credentials_ref=CREDENTIAL, mail_settings=settings, poll_interval_seconds=5,
    )  # fmt: skip
    imap.stalled.set()  # the first poll passes straight through
    assert jobs.poll_account(account.pk).startswith("stored 1")
    imap.stalled.clear()
    conversation = Conversation.objects.get()
    replies = [
        reply_create(user=agent.user, conversation_id=conversation.pk, body=f"Svar nummer {n}")
        for n in range(REPLIES)
    ]
    dovecot.deliver(*(mail(f"Spørgsmål {n}", subject=f"Emne {n}",
                           message_id=f"<m{n}@example.dk>") for n in range(MAILS)))  # fmt: skip
    ChannelAccount.objects.filter(pk=account.pk).update(next_poll_at=None)
    env = {CREDENTIAL: PASSWORD}

    poller = WorkerProcess(jobs.POLL_QUEUE, jobs.DISPATCH_QUEUE, env=env, name="mail-poller")
    sender = WorkerProcess(jobs.DELIVERY_QUEUE, env=env, name="mail-sender")
    try:
        for proxy, worker in ((outbox, sender), (imap, poller)):
            wait_for(proxy.stalled.is_set, timeout=60, what=f"a held call on port {proxy.port}")
            worker.kill()  # mid-call: the proxy is still holding the command
        assert Message.objects.filter(direction="in").count() == 1  # the killed poll stored nothing
        assert Message.objects.filter(delivery_state=DeliveryState.SENT).count() == 0

        survivor = WorkerProcess(env=env, name="mail-survivor")
        try:
            wait_for(
                lambda: (
                    Message.objects.filter(direction="in").count() == MAILS + 1
                    and Message.objects.filter(delivery_state=DeliveryState.SENT).count() == REPLIES
                ),
                timeout=180,  # RQ re-queues a dead horse's job after its heartbeat lapses
                what="the killed jobs to be retried",
            )
        finally:
            survivor.stop()
    finally:
        poller.stop()
        sender.stop()
        imap.stop()
        outbox.stop()

    external_ids = list(
        Message.objects.filter(direction="in").values_list("external_id", flat=True)
    )
    assert len(external_ids) == len(set(external_ids)) == MAILS + 1
    time.sleep(1)  # nothing more arrives late
    received = [str(m["Message-ID"]) for m in smtp.received]
    assert len(received) == len(set(received)) == REPLIES
    stored = Message.objects.filter(pk__in=[r.pk for r in replies])
    assert {m.external_id for m in stored} == set(received)
    assert sorted(m.delivery_attempts for m in stored) == [1, 1, 2]  # the killed one, again
