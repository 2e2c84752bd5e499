"""Replies the platform accepted but could not deliver (an e-mail bounce, RFC 3464): shown on
the reply as a failed delivery with the receiving server's reason, so the agent can act."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext

from connectors.base import DeliveryFailure
from inbox.models import ChannelAccount, DeliveryState, Direction, Message
from inbox.models import NotificationKind as Kind
from inbox.services.delivery import DELIVERY_ERROR_MAX, _change
from inbox.services.notifications import Notice, notify


def replies_bounced(account: ChannelAccount, failures: Sequence[DeliveryFailure]) -> int:
    """Mark the account's sent replies named by ``failures`` failed; returns how many. The
    caller holds the account's row lock (the poll's transaction)."""
    reasons = {f.external_id: f.reason for f in failures}
    replies = list(
        Message.objects.select_for_update(of=("self",), no_key=True)
        .select_related("conversation", "account", "author_agent")
        .filter(account=account, direction=Direction.OUTBOUND, external_id__in=reasons,
                delivery_state=DeliveryState.SENT)
        .order_by("pk")
    )  # fmt: skip
    for reply in replies:
        reason = gettext("The e-mail bounced: %(reason)s") % {"reason": reasons[reply.external_id]}
        if reply.author_agent_id is not None:
            notify([Notice(reply.author_agent_id, Kind.REPLY_FAILED, reply.conversation_id)])
        _change(reply, delivery_state=DeliveryState.FAILED,
                delivery_error=reason[:DELIVERY_ERROR_MAX])  # fmt: skip
    return len(replies)
