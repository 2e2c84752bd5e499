"""Mentions in internal notes (issue #17): ``@username`` pulls in any colleague, in any team.

A mentioned colleague outside the conversation's team gets a ``ConversationGrant``: they may
read that one conversation and add notes to it (inbox/permissions/access.py, ``guest``), and
nothing else. Each grant is audited and listed in the conversation. Every mentioned colleague
is notified. A mention of someone unknown or deactivated refuses the whole note, naming them,
so nobody believes a person was told who was not.
"""

from __future__ import annotations

import re
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from inbox.audit import audit
from inbox.exceptions import InvalidInput
from inbox.models import Agent, AuditAction, Contact, Conversation, ConversationGrant, Note
from inbox.models import NotificationKind as Kind
from inbox.services.notifications import Notice, notify

# A user name after an @ that does not follow a letter or digit (so an e-mail address is not
# a mention); a trailing full stop ends the sentence, not the name.
MENTION = re.compile(r"(?<![\w@.])@([\w.+-]*[\w+-])")
MENTIONS_MAX = 20


def mention_names(body: str) -> list[str]:
    """The user names mentioned, each once, in the order written."""
    return list(dict.fromkeys(m.lower() for m in MENTION.findall(body)))


def mentioned_agents(body: str) -> list[Agent]:
    """The agents a note mentions; refuses unknown and deactivated names. A customer's
    @handle (notes often name the customer) is text, not a mention."""
    names = mention_names(body)
    if not names:
        return []
    if len(names) > MENTIONS_MAX:
        raise InvalidInput(
            _("A note may mention at most %(limit)d colleagues.") % {"limit": MENTIONS_MAX},
            field="body",
        )
    found = {
        a.user.username.lower(): a
        for a in Agent.objects.select_related("user").filter(
            reduce(or_, (Q(user__username__iexact=n) for n in names))
        )
    }
    customers = _customer_handles([n for n in names if n not in found])
    names = [n for n in names if n in found or n not in customers]
    for name in names:
        agent = found.get(name)
        if agent is None:
            raise InvalidInput(
                _("Nobody is called @%(name)s: the note was not saved.") % {"name": name},
                field="body",
                mention=name,
            )
        if not agent.user.is_active:
            raise InvalidInput(
                _("@%(name)s is deactivated and cannot be told: the note was not saved.")
                % {"name": name},
                field="body",
                mention=name,
            )
    return [found[n] for n in names]


def _customer_handles(names: list[str]) -> set[str]:
    if not names:
        return set()
    handles = Contact.objects.filter(reduce(or_, (Q(handle__iexact=n) for n in names)))
    return {h.lower() for h in handles.values_list("handle", flat=True)}


def mentions_apply(*, note: Note, conversation: Conversation, agents: list[Agent]) -> None:
    """Grant the mentioned outsiders this conversation, audit it, and notify everyone
    mentioned; inside note_create's transaction, before its announce."""
    if not agents:
        return
    members = set(
        Agent.teams.through.objects.filter(
            team_id=conversation.team_id, agent_id__in=[a.pk for a in agents]
        ).values_list("agent_id", flat=True)
    )
    already = set(
        ConversationGrant.objects.filter(conversation=conversation).values_list(
            "agent_id", flat=True
        )
    )
    outsiders = [
        a
        for a in agents
        if a.pk not in members
        and a.pk not in already
        and a.pk != note.author_id
        and not a.user.has_perm("inbox.view_all_teams")
    ]
    now = timezone.now()
    for agent in outsiders:
        grant = ConversationGrant.objects.create(
            conversation=conversation, agent=agent, granted_by_id=note.author_id, note=note,
            created_at=now,
        )  # fmt: skip
        audit(
            AuditAction.CONVERSATION_GRANTED,
            actor=note.author,
            object_type="conversation_grant",
            object_id=grant.pk,
            team_id=conversation.team_id,
            details={"conversation_id": conversation.pk, "agent_id": agent.pk, "note_id": note.pk},
        )
    notify(Notice(a.pk, Kind.MENTION, conversation.pk, actor_id=note.author_id) for a in agents)
