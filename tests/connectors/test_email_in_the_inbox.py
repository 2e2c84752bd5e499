"""What the inbox does for every channel, shown for e-mail read from the real Dovecot and
answered through the real SMTP server: the personal-data guard (warns, never blocks), search
(body, subject, sender address), tags, and response-time metrics with the SLA clock (an
auto-reply or a bounce never starts one)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from connectors import jobs
from inbox.exceptions import GuidelineBlocked
from inbox.models import (
    AuditEntry,
    Conversation,
    DeliveryState,
    IntervalKind,
    Message,
    ResponseInterval,
)
from inbox.services import messages_ingest, reply_create
from tests.conftest import api_client_for
from tests.connectors.email_support import mail
from tests.factories import inbound

pytest_plugins = ["tests.connectors.mail_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)

CPR = "010203-1234"


@pytest.fixture
def question(dovecot, mail_account) -> Conversation:
    dovecot.deliver(mail("Hej, jeg har ikke fået min forskudsopgørelse.",
                         subject="Forskudsopgørelse 2027"))  # fmt: skip
    assert jobs.poll_account(mail_account.pk).startswith("stored 1")
    return Conversation.objects.get()


# --- the personal-data guard --------------------------------------------------------------------


def test_a_cpr_number_in_an_email_reply_is_a_warning_and_the_preview_asks_to_confirm(
    question, agent
):
    answer = api_client_for(agent).post(
        f"/api/conversations/{question.pk}/reply/preview",
        {"body": f"Dit CPR-nummer {CPR} er registreret."}, format="json",
    )  # fmt: skip

    body = answer.json()
    assert body["public"] is False
    assert [f["national_id"] for f in body["personal_data"]] == [True]  # the guard's finding
    assert body["guidelines"]["action"] == "warn"  # never "block" for e-mail
    assert {h["kind"] for h in body["guidelines"]["hits"]} == {"personal_data"}


def test_a_cpr_number_in_an_email_reply_is_sent_once_the_agent_confirmed(question, agent, smtp):
    reply = reply_create(
        user=agent.user, conversation_id=question.pk, body=f"Dit CPR-nummer {CPR} er ændret."
    )

    assert jobs.deliver_reply(reply.pk).startswith("sent")
    (sent,) = smtp.received
    assert CPR in sent.get_body(("plain",)).get_content()
    assert Message.objects.get(pk=reply.pk).delivery_state == DeliveryState.SENT
    # The warning the agent confirmed stays on record with the reply.
    entry = AuditEntry.objects.get(object_type="message", object_id=reply.pk)
    assert entry.details["guidelines"][0]["action"] == "warn"


def test_the_same_cpr_number_in_a_public_comment_is_refused(x_account, agent):
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="x1", external_id="9")])
    public = Conversation.objects.get(account=x_account)

    with pytest.raises(GuidelineBlocked):
        reply_create(user=agent.user, conversation_id=public.pk, body=f"CPR {CPR} er ændret.")
    assert not Message.objects.filter(conversation=public, direction="out").exists()


def test_the_conversation_page_offers_the_email_guard_not_the_public_one(question, client, agent):
    agent.user.refresh_from_db()  # the factory's password is not saved: sign in as stored
    client.force_login(agent.user)
    answer = client.get(reverse("conversation-pane", args=[question.pk]))
    assert answer.status_code == 200
    page = answer.content.decode()
    assert 'data-mail="true"' in page
    assert "Send the e-mail" in page
    assert "Send publicly anyway" not in page


# --- search -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "words",
    ["forskudsopgørelse", "ikke fået", "Forskudsopgørelse 2027",  # body, subject
     "anna.berg@example.dk", "example.dk", "berg@exam", "Anna Berg"],  # address, name
)  # fmt: skip
def test_search_finds_an_email_by_body_subject_and_sender_address(question, agent, words):
    found = api_client_for(agent).get("/api/conversations", {"q": words}).json()["results"]
    assert [c["id"] for c in found] == [question.pk]


def test_search_by_a_subject_word_finds_only_that_mail(question, dovecot, agent):
    dovecot.deliver(mail("Noget andet", subject="Restskat", message_id="<q2@example.dk>",
                         sender="Bo Lund <bo@lund.example>"))  # fmt: skip
    jobs.poll_account(question.account_id)
    found = api_client_for(agent).get("/api/conversations", {"q": "restskat"}).json()["results"]
    assert [c["contact"]["name"] for c in found] == ["Bo Lund"]


# --- tags ---------------------------------------------------------------------------------------


def test_an_email_conversation_is_tagged_and_found_by_its_tag(question, agent):
    client = api_client_for(agent)
    answer = client.post(f"/api/conversations/{question.pk}/tags", {"add": ["Forskud"]},
                         format="json")  # fmt: skip
    assert answer.json()["tags"] == ["forskud"]

    found = client.get("/api/conversations", {"tag": "forskud"}).json()["results"]
    assert [c["id"] for c in found] == [question.pk]
    assert client.get("/api/conversations", {"tag": "andet"}).json()["results"] == []


# --- response times and the SLA clock -------------------------------------------------------------


def test_the_first_response_to_an_email_is_measured(question, agent, manager):
    reply = reply_create(user=agent.user, conversation_id=question.pk, body="Den kommer.")
    jobs.deliver_reply(reply.pk)

    (interval,) = ResponseInterval.objects.filter(kind=IntervalKind.FIRST_RESPONSE)
    assert interval.platform == "email"
    assert interval.ended_by == "agent"
    assert interval.agent_id == agent.pk
    figures = api_client_for(manager).get("/api/metrics/summary", {"channel": "email"}).json()
    assert figures["first_response"]["current"]["count"] == 1


@pytest.mark.parametrize(
    "headers",
    [{"Auto-Submitted": "auto-replied"}, {"X-Autoreply": "yes"}, {"Precedence": "auto_reply"}],
)
def test_an_auto_reply_to_our_answer_starts_no_sla_clock(question, agent, dovecot, headers):
    reply = reply_create(user=agent.user, conversation_id=question.pk, body="Den kommer.")
    jobs.deliver_reply(reply.pk)
    reply.refresh_from_db()
    dovecot.deliver(mail("Jeg er på ferie til mandag.", subject="Automatisk svar: Re: Forskud",
                         message_id="<ooo@example.dk>", in_reply_to=reply.external_id,
                         headers=headers))  # fmt: skip

    jobs.poll_account(question.account_id)

    conversation = Conversation.objects.get()
    assert conversation.waiting_since is None  # nobody waits for an answer to an auto-reply
    assert conversation.messages.count() == 2
    waits = ResponseInterval.objects.exclude(kind=IntervalKind.RESOLUTION)  # resolution runs on
    assert not waits.filter(ended_at__isnull=True).exists()


def test_a_bounce_of_our_answer_starts_no_sla_clock_and_opens_nothing(question, agent, dovecot):
    reply = reply_create(user=agent.user, conversation_id=question.pk, body="Den kommer.")
    jobs.deliver_reply(reply.pk)
    reply.refresh_from_db()
    bounce = mail("Delivery to the following recipient failed permanently.",
                  sender="Mail Delivery System <MAILER-DAEMON@example.dk>",
                  subject="Undelivered Mail Returned to Sender",
                  message_id="<bounce@example.dk>", in_reply_to=reply.external_id)  # fmt: skip
    dovecot.deliver(bounce)

    jobs.poll_account(question.account_id)

    assert Conversation.objects.count() == 1
    assert Conversation.objects.get().waiting_since is None
    waits = ResponseInterval.objects.exclude(kind=IntervalKind.RESOLUTION)  # resolution runs on
    assert not waits.filter(ended_at__isnull=True).exists()
