"""Taking row locks: ``lock_<entity>(id)`` locks the row (``SELECT … FOR UPDATE``) inside the
caller's transaction and returns it, or raises NotFound (the naming rule: inbox/services)."""

from __future__ import annotations

from inbox.exceptions import NotFound
from inbox.models import ChannelAccount, Direction, Message


def lock_channel_account(account_id: int) -> ChannelAccount:
    try:
        return ChannelAccount.objects.select_for_update().get(pk=account_id)
    except ChannelAccount.DoesNotExist:
        raise NotFound(f"Channel account {account_id} was not found.") from None


def lock_reply(message_id: int) -> Message:
    """An outbound message, with what its delivery reads (conversation, account, author)."""
    try:
        return (
            Message.objects.select_for_update(of=("self",))
            .select_related("conversation", "account", "author_agent")
            .get(pk=message_id, direction=Direction.OUTBOUND)
        )
    except Message.DoesNotExist:
        raise NotFound(f"Reply {message_id} was not found.") from None
