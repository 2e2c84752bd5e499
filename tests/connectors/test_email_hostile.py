"""Hostile and broken mail, read from a real Dovecot: each gives a clear result and loses nothing.

Nothing here is deleted from the mailbox: what Svar cannot show whole stays there to be read.
"""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from connectors import jobs
from inbox.models import ChannelAccount, Conversation, Media, Message
from tests.connectors.email_support import mail
from tests.connectors.mail_servers import CuttingProxy

pytest_plugins = ["tests.connectors.mail_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)


def only_message() -> Message:
    (message,) = Message.objects.all()
    return message


def test_a_30_mb_message_arrives_by_its_headers_with_a_note(dovecot, mail_account):
    big = mail("x" * 100)
    big.add_attachment(b"\0" * 30_000_000, maintype="application", subtype="octet-stream",
                       filename="scan.bin")  # fmt: skip
    dovecot.deliver(big)

    assert jobs.poll_account(mail_account.pk).startswith("stored 1")

    message = only_message()
    assert message.external_id == "<q1@example.dk>"
    assert "MB; read it in the mailbox itself" in message.text
    assert Conversation.objects.get().subject == "Årsopgørelse"


def test_a_mail_without_message_id_gets_a_stable_one_and_is_stored_once(dovecot, mail_account):
    dovecot.deliver(mail(message_id=None))
    jobs.poll_account(mail_account.pk)
    ChannelAccount.objects.update(poll_cursor={})  # read everything again

    jobs.poll_account(mail_account.pk)

    assert only_message().external_id.endswith("@svar.invalid>")


def test_a_malformed_mime_structure_still_gives_its_text(dovecot, mail_account):
    broken = (
        b"From: anna.berg@example.dk\r\nSubject: =?utf-8?q?Hj=C3=A6lp?=\r\n"
        b"Message-ID: <m1@example.dk>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n'
        b"--never-closed\r\nContent-Type: text/plain; charset=x-unknown-charset\r\n\r\n"
        b"Jeg skylder \xe6\xf8\xe5 kroner\r\n"
    )
    dovecot.deliver(broken)

    jobs.poll_account(mail_account.pk)

    assert only_message().text == "Jeg skylder æøå kroner"
    assert Conversation.objects.get().subject == "Hjælp"


def test_windows_1252_mail_is_read(dovecot, mail_account):
    raw = (
        b"From: =?iso-8859-1?q?S=F8ren?= <soren@example.dk>\r\nSubject: Sp\xf8rgsm\xe5l\r\n"
        b"Message-ID: <w1@example.dk>\r\nContent-Type: text/plain; charset=windows-1252\r\n\r\n"
        b"Pris: 100 \x80 \x96 tak\r\n"
    )
    dovecot.deliver(raw)

    jobs.poll_account(mail_account.pk)

    message = only_message()
    assert message.text == "Pris: 100 € – tak"
    assert message.conversation.contact.name == "Søren"
    assert message.conversation.subject == "Spørgsmål"  # raw 8-bit in a header


def test_html_only_mail_loses_its_scripts_and_tracking_pixels(dovecot, mail_account):
    html = mail()
    html.set_content(
        '<html><head><script>alert("x")</script><style>p{}</style></head><body>'
        '<p>Hej <b>Skat</b></p><img src="https://tracker.example/p.gif" width=1 height=1>'
        '<p onclick="steal()">Linje&nbsp;to<br>tre</p></body></html>',
        subtype="html",
    )
    dovecot.deliver(html)

    jobs.poll_account(mail_account.pk)

    assert only_message().text == "Hej Skat\nLinje to\ntre"


def test_an_attachment_named_with_a_path_keeps_only_its_name(dovecot, mail_account):
    message: EmailMessage = mail()
    message.add_attachment(b"root:x:0:0", maintype="text", subtype="plain",
                           filename="../../etc/passwd")  # fmt: skip
    dovecot.deliver(message)

    jobs.poll_account(mail_account.pk)

    (attachment,) = Media.objects.all()
    assert attachment.alt_text == "passwd"
    assert attachment.kind == "file"


def test_a_mail_without_a_sender_is_reported_and_the_rest_is_read(dovecot, mail_account):
    dovecot.deliver(b"Subject: ?\r\nMessage-ID: <x@x>\r\n\r\nwho?\r\n", mail())

    assert jobs.poll_account(mail_account.pk).startswith("stored 1")

    account = ChannelAccount.objects.get()
    assert "no sender address" in account.last_error


def test_huge_headers_are_survived(dovecot, mail_account):
    noisy = mail(references=" ".join(f"<r{i}@example.dk>" for i in range(5000)))
    del noisy["Subject"]
    noisy["Subject"] = "Lang " + "y" * 2000
    dovecot.deliver(noisy)

    jobs.poll_account(mail_account.pk)

    assert len(Conversation.objects.get().subject) == 300


def test_a_connection_lost_mid_fetch_loses_nothing_and_doubles_nothing(dovecot, mail_account):
    dovecot.deliver(mail(), mail("To", subject="Andet", message_id="<q2@example.dk>"))
    proxy = CuttingProxy(dovecot.port, trigger=b"BODY.PEEK[]").start()
    settings = {**mail_account.mail_settings, "imap_port": proxy.port}
    ChannelAccount.objects.update(mail_settings=settings)

    assert jobs.poll_account(mail_account.pk).startswith("failed")
    assert proxy.cuts == 1
    assert not Message.objects.exists()
    proxy.stop()
    ChannelAccount.objects.update(mail_settings={**settings, "imap_port": dovecot.port},
                                  next_poll_at=None)  # fmt: skip

    assert jobs.poll_account(mail_account.pk).startswith("stored 2")
    assert jobs.poll_account(mail_account.pk).startswith("stored 0")
