"""E-mail in: a real Dovecot mailbox read by the poll job, threaded into conversations.

Each test delivers mail into the mailbox (IMAP APPEND) and runs ``connectors.jobs.poll_account``
as the worker does; nothing between Svar and the IMAP server is simulated.
"""

from __future__ import annotations

import pytest

from connectors import jobs
from inbox.models import AccountHealth, ChannelAccount, Conversation, Message
from tests.connectors.email_support import CUSTOMER, mail

pytest_plugins = ["tests.connectors.mail_fixtures"]  # the mail servers and the account
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_mail_opens_a_conversation_with_its_subject_and_sender(dovecot, mail_account):
    dovecot.deliver(mail())

    assert jobs.poll_account(mail_account.pk).startswith("stored 1")

    conversation = Conversation.objects.get()
    assert conversation.subject == "Årsopgørelse"
    assert conversation.kind == "private"
    assert conversation.contact.external_id == CUSTOMER
    assert conversation.contact.name == "Anna Berg"
    assert conversation.waiting_since is not None
    (message,) = conversation.messages.all()
    assert message.text == "Hej, hvornår kommer min årsopgørelse?"
    assert message.external_id == "<q1@example.dk>"
    assert jobs.poll_account(mail_account.pk).startswith("stored 0")


def test_replies_thread_by_their_headers_and_a_broken_client_by_its_subject(dovecot, mail_account):
    dovecot.deliver(mail())
    jobs.poll_account(mail_account.pk)
    dovecot.deliver(
        mail("Og en ting til", subject="SV: Årsopgørelse", message_id="<q2@example.dk>",
             in_reply_to="<q1@example.dk>", references="<q1@example.dk>"),
        # A client that drops In-Reply-To and References: the stripped subject threads it.
        mail("Hallo?", subject="VS: Re: AW: årsopgørelse", message_id="<q3@example.dk>"),
    )  # fmt: skip
    jobs.poll_account(mail_account.pk)

    conversation = Conversation.objects.get()
    assert conversation.messages.count() == 3


def test_a_new_subject_without_references_opens_its_own_conversation(dovecot, mail_account):
    dovecot.deliver(mail(), mail("Noget andet", subject="Skattekort", message_id="<n1@x.dk>"))

    jobs.poll_account(mail_account.pk)

    assert Conversation.objects.count() == 2


def test_references_to_another_customers_thread_do_not_join_it(dovecot, mail_account):
    dovecot.deliver(mail())
    jobs.poll_account(mail_account.pk)
    dovecot.deliver(
        mail("Jeg er en anden", sender="Bo <bo@example.se>", subject="Re: Årsopgørelse",
             message_id="<bo1@example.se>", references="<q1@example.dk>"),
    )  # fmt: skip

    jobs.poll_account(mail_account.pk)

    assert Conversation.objects.count() == 2
    anna = Conversation.objects.get(contact__external_id=CUSTOMER)
    assert anna.messages.count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"X-Autoreply": "yes"},
        {"Precedence": "bulk"},
    ],
)
def test_auto_replies_never_open_a_conversation(dovecot, mail_account, headers):
    dovecot.deliver(mail("Jeg er på ferie", subject="Autosvar", headers=headers))

    assert jobs.poll_account(mail_account.pk).startswith("stored 0")

    assert not Conversation.objects.exists()


def test_a_bounce_opens_no_conversation(dovecot, mail_account):
    bounce = (
        b"From: MAILER-DAEMON@example.dk\r\nTo: kundeservice@skat.example\r\n"
        b"Subject: Undelivered Mail\r\nMessage-ID: <b1@example.dk>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nNo such user\r\n"
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n\r\n"
        b"Final-Recipient: rfc822; nobody@example.dk\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"--B--\r\n"
    )
    dovecot.deliver(bounce)

    jobs.poll_account(mail_account.pk)

    assert not Conversation.objects.exists()


def test_the_same_mail_twice_is_stored_once(dovecot, mail_account):
    dovecot.deliver(mail(), mail())

    jobs.poll_account(mail_account.pk)

    assert Message.objects.count() == 1


def test_a_renumbered_mailbox_is_read_again_without_duplicates(dovecot, mail_account):
    dovecot.deliver(mail())
    jobs.poll_account(mail_account.pk)
    before = ChannelAccount.objects.get().poll_cursor
    dovecot.uidvalidity_reset()
    dovecot.deliver(mail("Ny", subject="Nyt spørgsmål", message_id="<q9@example.dk>"))

    jobs.poll_account(mail_account.pk)

    after = ChannelAccount.objects.get().poll_cursor
    assert after["uidvalidity"] != before["uidvalidity"]
    assert sorted(Message.objects.values_list("external_id", flat=True)) == [
        "<q1@example.dk>", "<q9@example.dk>",
    ]  # fmt: skip


def test_a_server_that_is_gone_loses_nothing(dovecot, mail_account):
    dovecot.deliver(mail())
    dovecot.stop()

    assert jobs.poll_account(mail_account.pk).startswith("failed")

    account = ChannelAccount.objects.get()
    assert account.health == AccountHealth.DEGRADED
    assert account.poll_cursor == {}


def test_a_wrong_password_pauses_the_account(dovecot, mail_account, monkeypatch):
    monkeypatch.setenv("SVAR_CREDENTIAL_MAIL_TEST", "wrong")

    assert jobs.poll_account(mail_account.pk) == "paused: credentials rejected"
    assert ChannelAccount.objects.get().health == AccountHealth.UNHEALTHY
