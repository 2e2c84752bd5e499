"""messages_ingest: idempotent, threads messages, reopens resolved conversations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from connectors.base import ThreadKind
from inbox.models import Contact, Conversation, ConversationStatus, InboxEvent, Message
from inbox.services import conversation_set_status, messages_ingest
from tests.factories import inbound

pytestmark = pytest.mark.django_db(transaction=True)


def test_new_messages_open_one_conversation_per_thread(x_account, published):
    t0 = timezone.now() - timedelta(hours=1)
    batch = [
        inbound(thread="a", external_id="1", at=t0),
        inbound(thread="a", external_id="2", at=t0 + timedelta(minutes=1), body="Hallo?"),
        inbound(thread="b", external_id="3", author="cust-2", handle="per", at=t0),
    ]

    result = messages_ingest(account_id=x_account.pk, messages=batch, cursor={"since_id": "3"})

    assert (result.created, result.duplicates, result.conversations_created) == (3, 0, 2)
    a = Conversation.objects.get(external_thread_id="a")
    assert a.status == ConversationStatus.OPEN
    assert a.waiting_since == t0
    assert a.last_message_at == t0 + timedelta(minutes=1)
    assert a.snippet == "Hallo?"
    assert a.team_id == x_account.team_id
    assert a.messages.count() == 2
    x_account.refresh_from_db()
    assert x_account.poll_cursor == {"since_id": "3"}
    assert [e["kind"] for e in published] == ["messages.received", "messages.received"]
    assert [e["seq"] for e in published] == [1, 2]
    assert {e["conversation"]["id"] for e in published} == {
        a.pk,
        Conversation.objects.get(external_thread_id="b").pk,
    }


def test_the_same_page_twice_stores_nothing_twice(x_account, published):
    batch = [inbound(thread="a", external_id="1"), inbound(thread="a", external_id="1")]

    first = messages_ingest(account_id=x_account.pk, messages=batch)
    second = messages_ingest(account_id=x_account.pk, messages=batch, cursor={"since_id": "1"})

    assert (first.created, first.duplicates) == (1, 1)
    assert (second.created, second.duplicates) == (0, 2)
    assert Message.objects.count() == 1
    assert Contact.objects.count() == 1
    assert InboxEvent.objects.count() == 1  # a replay announces nothing
    x_account.refresh_from_db()
    assert x_account.poll_cursor == {"since_id": "1"}  # but the cursor still advances


def test_a_customer_message_reopens_a_resolved_conversation(x_account, agent, published):
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="a", external_id="1")])
    conversation = Conversation.objects.get()
    conversation_set_status(user=agent.user, conversation_id=conversation.pk, status="resolved")
    later = timezone.now()

    result = messages_ingest(
        account_id=x_account.pk, messages=[inbound(thread="a", external_id="2", at=later)]
    )

    conversation.refresh_from_db()
    assert result.conversations_reopened == 1
    assert conversation.status == ConversationStatus.OPEN
    assert conversation.opened_at == later
    assert conversation.resolved_at is None
    assert conversation.waiting_since == later


def test_a_reply_sent_outside_svar_stops_the_wait(x_account):
    t0 = timezone.now() - timedelta(minutes=10)
    messages_ingest(
        account_id=x_account.pk,
        messages=[
            inbound(thread="dm", external_id="1", kind=ThreadKind.PRIVATE, at=t0),
            inbound(
                thread="dm",
                external_id="2",
                kind=ThreadKind.PRIVATE,
                author=x_account.external_id,
                at=t0 + timedelta(minutes=2),
                from_account=True,
            ),
        ],
    )
    conversation = Conversation.objects.get()
    assert conversation.waiting_since is None
    assert conversation.contact.external_id == "cust-1"
    assert conversation.messages.get(external_id="2").direction == "out"


def test_messages_are_found_by_text_search(x_account, agent):
    from inbox.selectors.conversations import ConversationFilters, conversation_list

    messages_ingest(
        account_id=x_account.pk,
        messages=[inbound(thread="a", body="Min forskudsopgørelse er forkert")],
    )
    found = conversation_list(user=agent.user, filters=ConversationFilters(search="forskud"))
    assert len(found.items) == 1
    none = conversation_list(user=agent.user, filters=ConversationFilters(search="momsangivelse"))
    assert none.items == []
