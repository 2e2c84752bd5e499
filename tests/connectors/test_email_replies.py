"""E-mail out: an agent's reply sent through a real SMTP server by the delivery job, signed by
name, threaded under the customer's mail, copied to the real Dovecot's Sent folder, once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from connectors import jobs
from inbox.models import Conversation, DeliveryState, Message
from inbox.services import reply_create
from tests.connectors.email_support import CUSTOMER, mail
from tests.connectors.mail_servers import USER

pytest_plugins = ["tests.connectors.mail_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def question(dovecot, mail_account) -> Conversation:
    dovecot.deliver(mail(references="<earlier@example.dk>", message_id="<q1@example.dk>"))
    jobs.poll_account(mail_account.pk)
    return Conversation.objects.get()


def test_a_reply_is_signed_by_name_and_threaded_under_the_question(question, agent, smtp, dovecot):
    reply = reply_create(
        user=agent.user, conversation_id=question.pk, body="Hej Anna\n\nDen er klar."
    )

    assert jobs.deliver_reply(reply.pk).startswith("sent")

    (sent,) = smtp.received
    assert sent["From"] == f'"Mette Jensen, Skattestyrelsen" <{USER}>'
    assert sent["To"] == CUSTOMER
    assert sent["Subject"] == "Re: Årsopgørelse"
    assert sent["In-Reply-To"] == "<q1@example.dk>"
    assert sent["References"] == "<q1@example.dk>"
    plain = sent.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert plain.startswith("Hej Anna\n\nDen er klar.\n\nVenlig hilsen\nMette Jensen")
    assert "Den er klar." in sent.get_body(("html",)).get_content()
    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.SENT
    assert reply.external_id == sent["Message-ID"]
    (copy,) = dovecot.folder_messages("Sent")
    assert copy["Message-ID"] == sent["Message-ID"]


def test_the_customers_answer_to_our_reply_joins_the_conversation(question, agent, dovecot):
    reply = reply_create(user=agent.user, conversation_id=question.pk, body="Den er klar.")
    jobs.deliver_reply(reply.pk)
    reply.refresh_from_db()
    dovecot.deliver(mail("Tak!", subject="Re: Årsopgørelse", message_id="<q2@example.dk>",
                         in_reply_to=reply.external_id))  # fmt: skip

    jobs.poll_account(question.account_id)

    assert Conversation.objects.get().messages.count() == 3


def test_a_retry_after_an_unknown_outcome_does_not_send_twice(question, agent, smtp):
    reply = reply_create(user=agent.user, conversation_id=question.pk, body="Én gang")
    jobs.deliver_reply(reply.pk)
    # The worker died after SMTP accepted the mail, before Svar recorded it (the SIGKILL
    # drill's window): the reply is "sending" again, its outcome unknown.
    Message.objects.filter(pk=reply.pk).update(
        delivery_state=DeliveryState.SENDING, external_id=None,
        delivery_started_at=timezone.now(),
    )  # fmt: skip

    assert jobs.deliver_reply(reply.pk).startswith("sent")

    assert len(smtp.received) == 1
    assert Message.objects.get(pk=reply.pk).delivery_state == DeliveryState.SENT


def test_an_unconfirmed_attempt_is_sent_again_under_the_same_message_id(
    question, agent, smtp, dovecot
):
    reply = reply_create(user=agent.user, conversation_id=question.pk, body="Igen")
    smtp.stop()  # the SMTP server is down: the copy in Sent stays unconfirmed

    with pytest.raises(Exception, match="SMTP"):
        jobs.deliver_reply(reply.pk)
    assert Message.objects.get(pk=reply.pk).delivery_state == DeliveryState.SENDING
    smtp.restart()

    assert jobs.deliver_reply(reply.pk).startswith("sent")

    (sent,) = smtp.received
    assert [m["Message-ID"] for m in dovecot.folder_messages("Sent")] == [sent["Message-ID"]]


def test_a_refused_recipient_fails_the_reply_with_the_reason(dovecot, mail_account, agent, smtp):
    dovecot.deliver(mail(sender="Ingen <nobody@invalid.example>"))
    jobs.poll_account(mail_account.pk)

    async def refuse(server, session, envelope, address, options):  # noqa: ARG001
        return "550 5.1.1 No such user"

    smtp.handler.handle_RCPT = refuse  # type: ignore[attr-defined]
    reply = reply_create(user=agent.user, conversation_id=Conversation.objects.get().pk, body="Hej")

    assert jobs.deliver_reply(reply.pk).startswith("failed")

    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.FAILED
    assert "No such user" in reply.delivery_error
    assert dovecot.folder_messages("Sent") == []


def test_a_bounce_of_our_reply_shows_on_the_reply_as_a_failed_delivery(question, agent, dovecot):
    reply = reply_create(user=agent.user, conversation_id=question.pk, body="Svar")
    jobs.deliver_reply(reply.pk)
    reply.refresh_from_db()
    bounce = (
        f"From: MAILER-DAEMON@example.dk\r\nTo: {USER}\r\nSubject: Undelivered Mail\r\n"
        "Message-ID: <bounce1@example.dk>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.dk\r\n"
        f"\r\nFinal-Recipient: rfc822; {CUSTOMER}\r\nAction: failed\r\nStatus: 5.2.2\r\n"
        "Diagnostic-Code: smtp; 552 5.2.2 Mailbox full\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: {USER}\r\nMessage-ID: {reply.external_id}\r\nSubject: Re: Årsopgørelse\r\n"
        "--B--\r\n"
    ).encode()
    dovecot.deliver(bounce)

    jobs.poll_account(question.account_id)

    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.FAILED
    assert reply.delivery_error == (
        f"The e-mail bounced: {CUSTOMER}: 5.2.2: smtp; 552 5.2.2 Mailbox full"
    )
    assert Conversation.objects.count() == 1
