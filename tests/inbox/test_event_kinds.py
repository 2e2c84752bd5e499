"""Each event kind's constructor: the kind, whom the event is about, and the payload that
docs/realtime.md documents for it, in that order (the order clients see on the wire)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from inbox.events import kinds
from inbox.events.kinds import EventKind
from inbox.events.snapshots import (
    account_snapshot,
    agent_snapshot,
    message_snapshot,
    note_snapshot,
    snapshots_for,
)
from inbox.models import Conversation, Direction, Media, Message, ModerationAction, Note
from inbox.services import messages_ingest
from tests.factories import inbound

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(x_account, agent) -> Conversation:
    messages_ingest(account_id=x_account.pk, messages=[inbound(external_id="101", body="Hej")])
    conversation = Conversation.objects.get()
    conversation.tags.create(name="mitid")
    return conversation


@pytest.fixture
def reply(conversation, agent) -> Message:
    now = timezone.now()
    return Message.objects.create(
        conversation=conversation,
        account=conversation.account,
        direction=Direction.OUTBOUND,
        body="Svar",
        text="Svar /MJ",
        author_agent=agent,
        platform_time=now,
        received_at=now,
    )


def snapshot(conversation: Conversation) -> dict:
    return snapshots_for([conversation])[conversation.pk]


def test_messages_received_one_event_per_conversation_that_received_messages(conversation):
    inbound_message = conversation.messages.get()
    [event] = kinds.messages_received_events(
        conversations=[conversation], messages={conversation.pk: [inbound_message]}, created=()
    )
    assert (event.kind, event.conversation, event.actor) == (
        EventKind.MESSAGES_RECEIVED,
        conversation,
        None,
    )
    assert event.payload == {
        "conversation": snapshot(conversation),
        "created": False,
        "messages": [message_snapshot(inbound_message)],
    }
    assert list(event.payload) == ["conversation", "created", "messages"]
    assert event.payload["conversation"]["tags"] == ["mitid"]


def test_messages_received_does_not_look_up_tags_of_conversations_it_created(conversation):
    messages = {conversation.pk: list(conversation.messages.all())}
    [event] = kinds.messages_received_events(
        conversations=[conversation], messages=messages, created={conversation.pk}
    )
    assert event.payload["created"] is True
    assert event.payload["conversation"]["tags"] == []
    nothing_received = kinds.messages_received_events(
        conversations=[conversation], messages={}, created=()
    )
    assert nothing_received == []


def test_reply_created(conversation, reply, agent):
    event = kinds.reply_created_event(conversation=conversation, message=reply, actor=agent)
    assert (event.kind, event.conversation, event.actor) == (
        EventKind.REPLY_CREATED,
        conversation,
        agent,
    )
    assert event.payload == {
        "conversation": snapshot(conversation),
        "message": message_snapshot(reply),
    }
    assert list(event.payload) == ["conversation", "message"]


def test_reply_delivery_changed_is_about_the_replys_conversation_and_has_no_actor(reply):
    event = kinds.reply_delivery_changed_event(message=reply)
    assert (event.kind, event.conversation, event.actor) == (
        EventKind.REPLY_DELIVERY,
        reply.conversation,
        None,
    )
    assert list(event.payload) == ["conversation", "message"]
    assert event.payload["message"] == message_snapshot(reply)


def test_account_health_changed_is_logged_in_the_accounts_team(x_account):
    event = kinds.account_health_changed_event(account=x_account)
    assert (event.kind, event.conversation, event.actor) == (EventKind.ACCOUNT_HEALTH, None, None)
    assert event.log_team_id == x_account.team_id
    assert event.payload == {"account": account_snapshot(x_account)}


def test_conversation_assigned_names_the_previous_assignee(conversation, agent, colleague):
    event = kinds.conversation_assigned_event(
        conversation=conversation, actor=agent, previous_assignee=colleague
    )
    assert (event.kind, event.conversation, event.actor) == (
        EventKind.CONVERSATION_ASSIGNED,
        conversation,
        agent,
    )
    assert event.payload == {
        "conversation": snapshot(conversation),
        "previous_assignee": agent_snapshot(colleague),
    }
    nobody_before = kinds.conversation_assigned_event(
        conversation=conversation, actor=agent, previous_assignee=None
    )
    assert nobody_before.payload["previous_assignee"] is None


def test_conversation_status_changed_names_the_previous_status(conversation, agent):
    event = kinds.conversation_status_changed_event(
        conversation=conversation, actor=agent, previous_status="pending"
    )
    assert (event.kind, event.actor) == (EventKind.CONVERSATION_STATUS, agent)
    assert event.payload == {"conversation": snapshot(conversation), "previous_status": "pending"}
    assert list(event.payload) == ["conversation", "previous_status"]


def test_conversation_tagged_lists_added_and_removed_sorted(conversation, agent):
    event = kinds.conversation_tagged_event(
        conversation=conversation, actor=agent, added={"b", "a"}, removed={"z"}
    )
    assert (event.kind, event.actor) == (EventKind.CONVERSATION_TAGGED, agent)
    assert event.payload == {
        "conversation": snapshot(conversation),
        "added": ["a", "b"],
        "removed": ["z"],
    }
    assert list(event.payload) == ["conversation", "added", "removed"]


def test_note_created(conversation, agent):
    note = Note.objects.create(
        conversation=conversation, author=agent, body="Ring", created_at=timezone.now()
    )
    event = kinds.note_created_event(conversation=conversation, note=note, actor=agent)
    assert (event.kind, event.conversation, event.actor) == (
        EventKind.NOTE_CREATED,
        conversation,
        agent,
    )
    assert event.payload == {"conversation": snapshot(conversation), "note": note_snapshot(note)}
    assert list(event.payload) == ["conversation", "note"]


def test_a_withdrawn_grant_names_the_grant_and_the_colleague(conversation, agent, outsider):
    event = kinds.grant_revoked_event(
        conversation=conversation, grant_id=7, agent=outsider, actor=agent
    )
    assert (event.kind, event.conversation, event.actor) == (
        EventKind.GRANT_REVOKED, conversation, agent
    )  # fmt: skip
    assert event.payload == {
        "conversation": snapshot(conversation),
        "grant": {"id": 7, "agent": agent_snapshot(outsider)},
    }


def test_every_kind_has_a_constructor():
    constructors = {
        EventKind.MESSAGES_RECEIVED: kinds.messages_received_events,
        EventKind.REPLY_CREATED: kinds.reply_created_event,
        EventKind.REPLY_DELIVERY: kinds.reply_delivery_changed_event,
        EventKind.ACCOUNT_HEALTH: kinds.account_health_changed_event,
        EventKind.CONVERSATION_ASSIGNED: kinds.conversation_assigned_event,
        EventKind.CONVERSATION_STATUS: kinds.conversation_status_changed_event,
        EventKind.CONVERSATION_TAGGED: kinds.conversation_tagged_event,
        EventKind.NOTE_CREATED: kinds.note_created_event,
        EventKind.REPLY_APPROVAL: kinds.reply_approval_changed_event,
        EventKind.MESSAGE_MODERATION: kinds.message_moderation_changed_event,
        EventKind.PRIVATE_REPLY: kinds.private_reply_changed_event,
        EventKind.GRANT_REVOKED: kinds.grant_revoked_event,
        EventKind.MESSAGE_MEDIA: kinds.message_media_changed_event,
    }
    assert set(constructors) == set(EventKind)


def test_a_moderation_event_carries_the_action(conversation, agent):
    comment = conversation.messages.get()
    action = ModerationAction.objects.create(
        message=comment, kind="hide", requested_by=agent, created_at=timezone.now()
    )

    event = kinds.message_moderation_changed_event(action=action, actor=agent)

    assert event.kind == EventKind.MESSAGE_MODERATION
    assert event.conversation == conversation
    assert list(event.payload) == ["conversation", "moderation"]
    assert event.payload["moderation"]["kind"] == "hide"
    assert event.payload["moderation"]["requested_by"] == agent_snapshot(agent)


def test_a_media_event_carries_the_media_and_leaves_the_conversation_version(conversation):
    message = conversation.messages.get()
    media = Media.objects.create(message=message, kind="photo", alt_text="Kvittering")

    event = kinds.message_media_changed_event(media=media)

    assert (event.kind, event.conversation, event.actor) == (
        EventKind.MESSAGE_MEDIA,
        conversation,
        None,
    )
    assert list(event.payload) == ["conversation", "media"]
    assert event.payload["conversation"]["version"] == conversation.version
    assert event.payload["media"]["message_id"] == message.pk
    assert event.payload["media"]["state"] == "pending"
    assert event.payload["media"]["alt_text"] == "Kvittering"
