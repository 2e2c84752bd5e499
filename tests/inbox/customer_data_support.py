"""A customer with data on two channels, for the data-subject request tests."""

from __future__ import annotations

from dataclasses import dataclass

from connectors.base import Platform, ThreadKind
from inbox.models import Contact, Conversation, Team
from inbox.services import messages_ingest, note_create, reply_create
from inbox.services.customer_profiles import contacts_merge
from tests.factories import AgentFactory, ChannelAccountFactory, inbound

NAME, HANDLE = "Kirsten Madsen", "kirsten_m"


@dataclass(frozen=True)
class Customer:
    on_x: Contact
    on_facebook: Contact
    public: Conversation  # a public tweet thread
    private: Conversation  # a Messenger thread
    bystander: Conversation  # someone else's, with a note naming the customer


def customer_with_data(team: Team) -> Customer:
    agent = AgentFactory(public_name="Mette Jensen", teams=[team])
    x = ChannelAccountFactory(team=team, platform=Platform.X)
    fb = ChannelAccountFactory(team=team, platform=Platform.FACEBOOK)
    messages_ingest(account_id=x.pk, messages=[
        inbound(thread="tw-1", author="x-1", name=NAME, handle=HANDLE,
                body="Mit cpr er 010101-1234"),
    ])  # fmt: skip
    messages_ingest(account_id=fb.pk, messages=[
        inbound(thread="m-1", author="fb-1", name=NAME, handle="kirsten.madsen",
                kind=ThreadKind.PRIVATE, body="Hej, det er Kirsten igen"),
        inbound(thread="m-2", author="fb-2", name="Bo Berg", handle="bo", kind=ThreadKind.PRIVATE,
                body="Jeg har et spørgsmål"),
    ])  # fmt: skip
    public = Conversation.objects.get(account=x)
    private = Conversation.objects.get(account=fb, external_thread_id="m-1")
    bystander = Conversation.objects.get(account=fb, external_thread_id="m-2")
    reply_create(user=agent.user, conversation_id=private.pk, body="Hej Kirsten, vi ser på det")
    note_create(user=agent.user, conversation_id=private.pk, body="Ringet til hende")
    note_create(user=agent.user, conversation_id=bystander.pk, body=f"Bo kender @{HANDLE}")
    on_x, on_fb = Contact.objects.get(external_id="x-1"), Contact.objects.get(external_id="fb-1")
    contacts_merge(user=agent.user, contact_id=on_x.pk, other_id=on_fb.pk)
    on_x.refresh_from_db(), on_fb.refresh_from_db()
    return Customer(on_x, on_fb, public, private, bystander)


def put_on_hold(conversation: Conversation) -> None:
    Conversation.objects.filter(pk=conversation.pk).update(legal_hold=True)
