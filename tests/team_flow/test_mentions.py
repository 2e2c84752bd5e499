"""Mentions in internal notes (issue #17): ``@username`` pulls in a colleague of any team, who
may then read that one conversation and add notes to it, and nothing else."""

from __future__ import annotations

import pytest

from inbox.exceptions import NotFound, PermissionDenied
from inbox.models import AuditAction, AuditEntry, ConversationGrant, Note, Notification
from inbox.selectors.conversations import ConversationFilters, conversation_get, conversation_list
from inbox.services import (
    conversation_assign,
    conversation_claim,
    conversation_set_status,
    note_create,
    reply_create,
)
from inbox.services.mentions import mention_names
from tests.conftest import api_client_for
from tests.factories import AgentFactory
from tests.web.test_inbox_pages import logged_in

pytestmark = pytest.mark.django_db


def test_mention_names_are_user_names_after_an_at_not_inside_an_address():
    body = "Spørg @Ole.told og @lars, ikke kunde@example.dk. Tak @ole.told."
    assert mention_names(body) == ["ole.told", "lars"]


def test_a_colleague_of_another_team_gets_a_grant_audited_and_a_notification(
    agent, outsider, conversation
):
    name = outsider.user.username
    note = note_create(user=agent.user, conversation_id=conversation.pk, body=f"@{name} ved du?")

    grant = ConversationGrant.objects.get()
    assert (grant.agent, grant.conversation, grant.granted_by, grant.note) == (
        outsider, conversation, agent, note
    )  # fmt: skip
    entry = AuditEntry.objects.get(action=AuditAction.CONVERSATION_GRANTED)
    assert entry.actor == agent
    assert entry.details == {
        "conversation_id": conversation.pk, "agent_id": outsider.pk, "note_id": note.pk
    }  # fmt: skip
    notification = Notification.objects.get(recipient=outsider)
    assert (notification.kind, notification.conversation_id, notification.actor) == (
        "mention", conversation.pk, agent
    )  # fmt: skip
    detail = conversation_get(user=agent.user, conversation_id=conversation.pk)
    assert [g.agent for g in detail.grants] == [outsider]


def test_a_team_mate_is_notified_but_needs_no_grant(agent, colleague, conversation):
    note_create(
        user=agent.user, conversation_id=conversation.pk, body=f"@{colleague.user.username}"
    )
    assert not ConversationGrant.objects.exists()
    assert Notification.objects.get().recipient == colleague


def test_a_customers_handle_in_a_note_is_text_not_a_mention(agent, conversation):
    conversation.contact.handle = "Kirsten_M"
    conversation.contact.save()
    note_create(
        user=agent.user, conversation_id=conversation.pk, body="@kirsten_m skrev igen i går"
    )
    assert Note.objects.count() == 1
    assert not Notification.objects.exists()


@pytest.mark.parametrize("who", ["nobody", "deactivated"])
def test_a_mention_of_an_unknown_or_deactivated_user_refuses_the_note_naming_them(
    who, agent, other_team, conversation
):
    name = "ghost"
    if who == "deactivated":
        gone = AgentFactory(teams=[other_team])
        gone.user.is_active = False
        gone.user.save()
        name = gone.user.username
    response = api_client_for(agent).post(
        f"/api/conversations/{conversation.pk}/notes", {"body": f"Hej @{name}"}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert f"@{name}" in error["message"]
    assert error["details"]["mention"] == name
    assert not Note.objects.exists()
    assert not ConversationGrant.objects.exists()
    assert not Notification.objects.exists()


@pytest.fixture
def guest(agent, outsider, conversation):
    note_create(user=agent.user, conversation_id=conversation.pk, body=f"@{outsider.user.username}")
    return outsider


def test_the_guest_reads_the_conversation_and_adds_notes(guest, conversation):
    detail = conversation_get(user=guest.user, conversation_id=conversation.pk)
    assert detail.guest
    assert detail.conversation == conversation
    note = note_create(user=guest.user, conversation_id=conversation.pk, body="Svaret er nej.")
    assert note.author == guest
    page = api_client_for(guest).get(f"/api/conversations/{conversation.pk}")
    assert page.status_code == 200
    assert [n["body"] for n in page.json()["notes"]][-1] == "Svaret er nej."


def test_the_guest_cannot_reply_assign_claim_change_status_or_list_it(guest, conversation):
    user, pk = guest.user, conversation.pk
    for attempt in (
        lambda: reply_create(user=user, conversation_id=pk, body="Hej"),
        lambda: conversation_claim(user=user, conversation_id=pk),
        lambda: conversation_assign(user=user, conversation_id=pk, assignee_id=guest.pk),
        lambda: conversation_set_status(user=user, conversation_id=pk, status="resolved"),
    ):
        with pytest.raises((NotFound, PermissionDenied)):
            attempt()
    listed = conversation_list(user=user, filters=ConversationFilters()).items
    assert pk not in [c.pk for c in listed]


def test_a_grant_opens_only_that_conversation(guest, x_account, conversation):
    from inbox.services import messages_ingest
    from tests.factories import inbound

    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="t2", external_id="202")])
    second = x_account.conversations.exclude(pk=conversation.pk).get()
    with pytest.raises(NotFound):
        conversation_get(user=guest.user, conversation_id=second.pk)
    with pytest.raises(NotFound):
        note_create(user=guest.user, conversation_id=second.pk, body="Nej")


def test_the_composer_suggests_colleagues_of_every_team_members_first(
    agent, colleague, outsider, conversation
):
    client = api_client_for(agent)
    found = client.get(f"/api/conversations/{conversation.pk}/mentionable?q=")
    assert found.status_code == 200
    names = [c["public_name"] for c in found.json()]
    assert names.index("Lars Holm") < names.index("Ole Told")
    one = client.get(f"/api/conversations/{conversation.pk}/mentionable?q=ole").json()
    assert [(c["username"], c["in_team"], c["teams"]) for c in one] == [
        (outsider.user.username, False, ["Told"])
    ]


def test_an_outsider_without_a_grant_gets_no_suggestions(outsider, conversation):
    found = api_client_for(outsider).get(f"/api/conversations/{conversation.pk}/mentionable?q=a")
    assert found.status_code == 404


def test_the_page_shows_the_guest_notes_only_and_the_team_the_grant(agent, guest, conversation):
    page = logged_in(guest).get(f"/conversations/{conversation.pk}/").content.decode()
    assert 'data-action="claim"' not in page
    assert 'value="reply"' not in page
    assert 'value="note" checked' in page
    page = logged_in(agent).get(f"/conversations/{conversation.pk}/").content.decode()
    assert f'data-grant-agent="{guest.pk}"' in page
