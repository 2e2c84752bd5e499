"""Taking row locks: ``lock_<entity>(id)`` locks the row inside the caller's transaction and
returns it, or raises NotFound (the naming rule: inbox/services).

Always ``FOR NO KEY UPDATE``, never ``FOR UPDATE``: every INSERT that references a row takes
``FOR KEY SHARE`` on it (the foreign-key check), which ``FOR UPDATE`` blocks. A web request
holding a conversation ``FOR UPDATE`` while the worker, already holding the team's event
sequence, inserted an event referencing that conversation was a deadlock (docs/architecture.md
§3.5, the lock order)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from inbox.exceptions import NotFound
from inbox.models import Agent, ChannelAccount, Direction, Message
from inbox.stored_text import Text


def lock_channel_account(account_id: int) -> ChannelAccount:
    try:
        return ChannelAccount.objects.select_for_update(no_key=True).get(pk=account_id)
    except ChannelAccount.DoesNotExist:
        raise NotFound(
            Text(_("Channel account %(account_id)s was not found."), account_id=account_id)
        ) from None


def lock_reply(message_id: int) -> Message:
    """An outbound message, with what its delivery reads (conversation, account, author)."""
    try:
        return (
            Message.objects.select_for_update(of=("self",), no_key=True)
            .select_related("conversation", "account", "author_agent")
            .get(pk=message_id, direction=Direction.OUTBOUND)
        )
    except Message.DoesNotExist:
        raise NotFound(
            Text(_("Reply %(message_id)s was not found."), message_id=message_id)
        ) from None


def lock_agent(agent_id: int) -> Agent:
    """An agent profile with its user, for an administrator's change to the person."""
    try:
        return (
            Agent.objects.select_for_update(of=("self", "user"), no_key=True)
            .select_related("user")
            .get(pk=agent_id)
        )
    except Agent.DoesNotExist:
        raise NotFound(Text(_("Person %(agent_id)s was not found."), agent_id=agent_id)) from None
