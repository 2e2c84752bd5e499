"""Withdrawing a mentioned colleague's access to a conversation (issue #17).

A grant (inbox/services/mentions.py) is withdrawn by a manager of the conversation's team or by
whoever gave it. The row goes in one transaction with its audit entry and a
``conversation.grant_revoked`` event in the team's log: from that commit the colleague's reads
answer 404, and their live guest stream ends at exactly that event (web/ws/guest_stream.py),
so nothing committed after the withdrawal reaches them.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from inbox.audit import audit
from inbox.events.kinds import grant_revoked_event
from inbox.events.log import announce
from inbox.exceptions import NotFound, PermissionDenied
from inbox.models import AuditAction, ConversationGrant
from inbox.permissions.access import access_conversation, agent_of, is_guest


@transaction.atomic(durable=True)
def conversation_grant_revoke(
    *, user: AbstractBaseUser, conversation_id: int, agent_id: int
) -> None:
    actor = agent_of(user)
    # Lock 5 (the conversation), then its grant row; the team's event sequence last.
    conversation = access_conversation(user, conversation_id, for_update=True, guest=True)
    grant = (
        ConversationGrant.objects.select_for_update(no_key=True)
        .select_related("agent")
        .filter(conversation_id=conversation.pk, agent_id=agent_id)
        .first()
    )
    if grant is None:
        raise NotFound(
            _("Agent %(agent)s has no access to this conversation through a mention.")
            % {"agent": agent_id}
        )
    manager = user.has_perm("inbox.view_metrics") and not is_guest(user, conversation)
    if not manager and grant.granted_by_id != actor.pk:
        raise PermissionDenied(
            _("Only a manager of the team or the colleague who gave this access may withdraw it.")
        )
    grant_id = grant.pk
    grant.delete()
    audit(
        AuditAction.CONVERSATION_GRANT_REVOKED,
        actor=actor,
        object_type="conversation_grant",
        object_id=grant_id,
        team_id=conversation.team_id,
        details={"conversation_id": conversation.pk, "agent_id": agent_id},
    )
    announce(
        grant_revoked_event(
            conversation=conversation, grant_id=grant_id, agent=grant.agent, actor=actor
        )
    )
