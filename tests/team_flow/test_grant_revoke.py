"""Withdrawing a mentioned colleague's access (issue #17): a manager of the team, or whoever gave
the access, may; the colleague loses it at once (404), the withdrawal is audited and announced
in the team's log, which ends the colleague's live stream there (tests/web/test_guest_stream.py).
"""

from __future__ import annotations

import pytest

from inbox.exceptions import NotFound, PermissionDenied
from inbox.models import AuditAction, AuditEntry, ConversationGrant, InboxEvent
from inbox.selectors.conversations import conversation_get
from inbox.services import note_create
from inbox.services.grants import conversation_grant_revoke
from tests.conftest import api_client_for
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def granted(agent, outsider, conversation) -> ConversationGrant:
    note_create(
        user=agent.user,
        conversation_id=conversation.pk,
        body=f"@{outsider.user.username} ved du det?",
    )
    return ConversationGrant.objects.get()


def test_who_gave_the_access_withdraws_it_audited_and_announced(
    agent, outsider, conversation, granted
):
    response = api_client_for(agent).delete(
        f"/api/conversations/{conversation.pk}/grants/{outsider.pk}"
    )

    assert response.status_code == 204
    assert not ConversationGrant.objects.exists()
    entry = AuditEntry.objects.get(action=AuditAction.CONVERSATION_GRANT_REVOKED)
    assert (entry.actor, entry.object_id, entry.team_id) == (
        agent, str(granted.pk), conversation.team_id
    )  # fmt: skip
    assert entry.details == {"conversation_id": conversation.pk, "agent_id": outsider.pk}
    event = InboxEvent.objects.get(kind="conversation.grant_revoked")
    assert (event.conversation_id, event.actor) == (conversation.pk, agent)
    assert event.payload["grant"] == {
        "id": granted.pk,
        "agent": {"id": outsider.pk, "public_name": "Ole Told", "initials": "OT"},
    }
    assert conversation_get(user=agent.user, conversation_id=conversation.pk).grants == []


def test_the_colleague_loses_access_at_once(agent, outsider, conversation, granted):
    guest = api_client_for(outsider)
    assert guest.get(f"/api/conversations/{conversation.pk}").status_code == 200

    conversation_grant_revoke(
        user=agent.user, conversation_id=conversation.pk, agent_id=outsider.pk
    )

    assert guest.get(f"/api/conversations/{conversation.pk}").status_code == 404
    note = guest.post(f"/api/conversations/{conversation.pk}/notes", {"body": "Hej"}, "json")
    assert note.status_code == 404
    with pytest.raises(NotFound):
        conversation_get(user=outsider.user, conversation_id=conversation.pk)


def test_a_manager_of_the_team_may_withdraw_what_a_colleague_gave(
    manager, outsider, conversation, granted
):
    conversation_grant_revoke(
        user=manager.user, conversation_id=conversation.pk, agent_id=outsider.pk
    )
    assert not ConversationGrant.objects.exists()


def test_another_agent_of_the_team_may_not(colleague, outsider, conversation, granted):
    response = api_client_for(colleague).delete(
        f"/api/conversations/{conversation.pk}/grants/{outsider.pk}"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert ConversationGrant.objects.filter(pk=granted.pk).exists()
    assert not AuditEntry.objects.filter(action=AuditAction.CONVERSATION_GRANT_REVOKED).exists()


def test_a_guest_may_withdraw_only_what_they_gave(agent, outsider, other_team, conversation):
    note_create(user=agent.user, conversation_id=conversation.pk, body=f"@{outsider.user.username}")
    third = AgentFactory(public_name="Tove Told", teams=[other_team])
    note_create(
        user=outsider.user, conversation_id=conversation.pk, body=f"@{third.user.username} også"
    )

    with pytest.raises(PermissionDenied):  # a guest is no manager of the team, even if one
        conversation_grant_revoke(
            user=outsider.user, conversation_id=conversation.pk, agent_id=outsider.pk
        )
    conversation_grant_revoke(
        user=outsider.user, conversation_id=conversation.pk, agent_id=third.pk
    )
    assert list(ConversationGrant.objects.values_list("agent_id", flat=True)) == [outsider.pk]


@pytest.mark.parametrize("who", ["team member without grant", "nobody granted"])
def test_a_grant_that_does_not_exist_is_not_found(agent, colleague, conversation, who):
    target = colleague.pk if who == "team member without grant" else 999_999
    response = api_client_for(agent).delete(f"/api/conversations/{conversation.pk}/grants/{target}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_staff_of_another_team_cannot_even_see_the_conversation(
    outsider, other_team, conversation, granted
):
    stranger = AgentFactory(teams=[other_team], role="manager")
    response = api_client_for(stranger).delete(
        f"/api/conversations/{conversation.pk}/grants/{outsider.pk}"
    )
    assert response.status_code == 404
    assert ConversationGrant.objects.exists()
