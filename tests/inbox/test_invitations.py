"""Invitations: single-use, expiring links; e-mail in the invitee's language; accepting makes
the whole person in one go; every dead link answers alike."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone

from inbox.exceptions import InvalidInput, NotFound, PermissionDenied, Unavailable
from inbox.models import Agent, AuditAction, AuditEntry, Invitation
from inbox.permissions.roles import role_of
from inbox.services.invitations import (
    invitation_accept,
    invitation_by_token,
    invitation_create,
    invitation_resend,
    invitation_revoke,
)

pytestmark = pytest.mark.django_db
PASSWORD = "a long and unusual passphrase 42"


def invite(admin, team, **overrides):
    values = {
        "email": "Karen.Lund@Example.dk", "public_name": "Karen Lund", "initials": "KL",
        "language": "da", "roles": ["manager"], "team_ids": [team.pk],
        "base_url": "https://svar.example.dk/",
    }  # fmt: skip
    return invitation_create(user=admin.user, **{**values, **overrides})


def test_an_invitation_mails_a_link_in_the_invitees_language_and_stores_only_a_hash(
    admin_agent, team
):
    invitation = invite(admin_agent, team)
    [message] = mail.outbox
    assert message.to == ["karen.lund@example.dk"]
    assert message.subject == "Du er inviteret til Svar"
    link = f"https://svar.example.dk/invitation/{invitation.token}/"
    assert link in message.body
    assert "Hej Karen Lund," in message.body
    assert "Ada Admin har inviteret dig" in message.body
    stored = Invitation.objects.get(pk=invitation.pk)
    assert invitation.token not in stored.token_hash
    assert len(stored.token_hash) == 64
    assert stored.expires_at - stored.sent_at == timedelta(days=7)


def test_an_english_invitee_reads_english(admin_agent, team):
    invite(admin_agent, team, language="en")
    assert mail.outbox[0].subject == "You are invited to Svar"
    assert "Open this link to choose your password" in mail.outbox[0].body


def test_accepting_makes_the_user_agent_roles_and_teams(admin_agent, team):
    invitation = invite(admin_agent, team)
    user = invitation_accept(token=invitation.token, password=PASSWORD)
    assert user.username == user.email == "karen.lund@example.dk"
    assert user.check_password(PASSWORD)
    agent = Agent.objects.get(user=user)
    assert (agent.public_name, agent.initials, agent.language) == ("Karen Lund", "KL", "da")
    assert list(agent.teams.all()) == [team]
    assert role_of(user) == "manager"
    entry = AuditEntry.objects.get(action=AuditAction.INVITATION_ACCEPTED)
    assert entry.actor == agent
    assert entry.team_id == team.pk


def test_a_used_link_is_refused_the_second_time(admin_agent, team):
    invitation = invite(admin_agent, team)
    invitation_accept(token=invitation.token, password=PASSWORD)
    with pytest.raises(NotFound):
        invitation_accept(token=invitation.token, password=PASSWORD)
    assert User.objects.filter(email="karen.lund@example.dk").count() == 1


def test_an_expired_link_is_refused_and_makes_nobody(admin_agent, team):
    invitation = invite(admin_agent, team)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    with pytest.raises(NotFound) as refused:
        invitation_accept(token=invitation.token, password=PASSWORD)
    assert "expired" in refused.value.message
    assert not User.objects.filter(email="karen.lund@example.dk").exists()


def test_an_unknown_link_reads_like_any_dead_one(admin_agent, team):
    invitation = invite(admin_agent, team)
    invitation_revoke(user=admin_agent.user, invitation_id=invitation.pk)
    with pytest.raises(NotFound) as revoked:
        invitation_by_token(token=invitation.token)
    with pytest.raises(NotFound) as unknown:
        invitation_by_token(token="made-up")
    assert revoked.value.message == unknown.value.message


def test_sending_again_kills_the_old_link(admin_agent, team):
    first = invite(admin_agent, team)
    second = invitation_resend(user=admin_agent.user, invitation_id=first.pk)
    assert second.token != first.token
    assert len(mail.outbox) == 2
    assert second.token in mail.outbox[1].body
    with pytest.raises(NotFound):
        invitation_by_token(token=first.token)
    assert invitation_by_token(token=second.token).pk == first.pk


def test_an_address_that_already_has_an_account_is_refused(admin_agent, team, agent):
    agent.user.email = "karen.lund@example.dk"
    agent.user.save()
    with pytest.raises(InvalidInput) as refused:
        invite(admin_agent, team)
    assert refused.value.details["field"] == "email"
    assert "already an account" in refused.value.message
    assert mail.outbox == []


def test_a_second_pending_invitation_to_one_address_is_refused(admin_agent, team):
    invite(admin_agent, team)
    with pytest.raises(InvalidInput, match="already invited"):
        invite(admin_agent, team, email="karen.lund@EXAMPLE.dk")


def test_a_weak_password_is_refused_by_djangos_validators(admin_agent, team):
    invitation = invite(admin_agent, team)
    with pytest.raises(InvalidInput) as refused:
        invitation_accept(token=invitation.token, password="karen")
    assert refused.value.details["field"] == "password"
    invitation_accept(token=invitation.token, password=PASSWORD)  # the link still works


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not an address"}, "email"),
        ({"roles": ["owner"]}, "roles"),
        ({"roles": []}, "roles"),
        ({"team_ids": [987654]}, "team_ids"),
        ({"initials": "K L"}, "initials"),
        ({"public_name": "  "}, "public_name"),
        ({"language": "xx"}, "language"),
    ],
)
def test_bad_invitations_name_the_field(admin_agent, team, overrides, field):
    with pytest.raises(InvalidInput) as refused:
        invite(admin_agent, team, **overrides)
    assert refused.value.details["field"] == field
    assert not Invitation.objects.exists()


def test_agents_and_managers_cannot_invite(agent, manager, team):
    for person in (agent, manager):
        with pytest.raises(PermissionDenied):
            invite(person, team)
    assert mail.outbox == []


def test_every_invitation_step_is_audited(admin_agent, team):
    first = invite(admin_agent, team)
    invitation_resend(user=admin_agent.user, invitation_id=first.pk)
    invitation_revoke(user=admin_agent.user, invitation_id=first.pk)
    actions = list(
        AuditEntry.objects.filter(object_type="invitation")
        .order_by("pk")
        .values_list("action", "actor", "details__email")
    )
    assert actions == [
        (AuditAction.INVITATION_SENT, admin_agent.pk, "karen.lund@example.dk"),
        (AuditAction.INVITATION_RESENT, admin_agent.pk, "karen.lund@example.dk"),
        (AuditAction.INVITATION_REVOKED, admin_agent.pk, "karen.lund@example.dk"),
    ]
    assert re.fullmatch(r"[0-9a-f]{64}", Invitation.objects.get().token_hash)


def test_a_mail_server_that_is_down_keeps_the_invitation_and_says_so(admin_agent, team, settings):
    settings.EMAIL_BACKEND = "tests.inbox.refusing_mail.EmailBackend"
    with pytest.raises(Unavailable) as down:
        invite(admin_agent, team)
    assert "send the invitation again" in down.value.message
    invitation = Invitation.objects.get()
    assert down.value.details["invitation_id"] == invitation.pk
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    resent = invitation_resend(user=admin_agent.user, invitation_id=invitation.pk)
    assert resent.token in mail.outbox[0].body
