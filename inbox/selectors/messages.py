"""Reads of messages: what a reply answers, and what its delivery needs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Count

from inbox.models import AgentPersona, Conversation, DeliveryState, Direction, Message

LOST_REPLIES_PER_READ = 1000


def reply_list_awaiting_delivery(*, queued_before: datetime) -> list[int]:
    """Replies still queued or sending since before ``queued_before``: a lost job is re-queued."""
    return list(
        Message.objects.filter(
            direction=Direction.OUTBOUND,
            delivery_state__in=[DeliveryState.QUEUED, DeliveryState.SENDING],
            received_at__lt=queued_before,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:LOST_REPLIES_PER_READ]
    )


def reply_get_for_delivery(*, message_id: int) -> Message:
    return Message.objects.select_related("conversation", "account", "author_agent").get(
        pk=message_id
    )


def reply_get_conversation_id(*, message_id: int) -> int | None:
    """The conversation of a reply (an outbound message), None if there is no such reply."""
    return (
        Message.objects.filter(pk=message_id, direction=Direction.OUTBOUND)
        .values_list("conversation_id", flat=True)
        .first()
    )


def message_get_latest_inbound_external_id(*, conversation: Conversation) -> str | None:
    """The platform id of the customer's latest message: what a reply answers."""
    return (
        conversation.messages.filter(direction=Direction.INBOUND)
        .order_by("-platform_time", "-id")
        .values_list("external_id", flat=True)
        .first()
    )


def message_get_latest_inbound_time(*, conversation: Conversation) -> datetime | None:
    """When the customer last wrote: some platforms only accept replies within a window."""
    return (
        conversation.messages.filter(direction=Direction.INBOUND)
        .order_by("-platform_time")
        .values_list("platform_time", flat=True)
        .first()
    )


def message_list_known_external_ids(*, account_id: int, external_ids: list[str]) -> set[str]:
    """Which of these platform ids the account has stored already (replays, overlaps)."""
    return set(
        Message.objects.filter(account_id=account_id, external_id__in=external_ids).values_list(
            "external_id", flat=True
        )
    )


def agent_persona_get(*, agent_id: int | None, account_id: int) -> str | None:
    """The platform persona an agent replies under on an account, if one was created."""
    return (
        AgentPersona.objects.filter(agent_id=agent_id, account_id=account_id)
        .values_list("persona_id", flat=True)
        .first()
    )


def reply_count_by_state(*, states: Sequence[str]) -> dict[str, int]:
    """How many replies are in each of the delivery states (operators' gauges)."""
    return dict(
        Message.objects.filter(direction=Direction.OUTBOUND, delivery_state__in=states)
        .values_list("delivery_state")
        .annotate(n=Count("pk"))
        .values_list("delivery_state", "n")
    )
