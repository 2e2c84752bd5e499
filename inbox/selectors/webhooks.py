"""Reads for webhooks and the poll pace (issue #20)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from inbox.models import ChannelAccount, Conversation, ConversationStatus, WebhookDelivery

WEBHOOK_PLATFORMS = ("facebook", "instagram")  # Meta delivers both to /webhooks/meta


def conversation_active_exists(*, account_id: int, since: datetime) -> bool:
    """Whether an open conversation of the account has had a message since ``since``."""
    return Conversation.objects.filter(
        account_id=account_id, status=ConversationStatus.OPEN, last_message_at__gte=since
    ).exists()


def messenger_thread_known(*, account_id: int, customer_id: str) -> tuple[str, str] | None:
    """The thread id and customer name of the account's Messenger conversation with a customer
    already stored, if any."""
    return (
        Conversation.objects.filter(
            account_id=account_id, kind="private", contact__external_id=customer_id
        )
        .order_by("-last_message_at")
        .values_list("external_thread_id", "contact__name")
        .first()
    )


def account_ids_by_page(*, page_ids: set[str]) -> dict[str, int]:
    """Active Facebook (and Instagram) accounts of these Page (Instagram account) ids."""
    return dict(
        ChannelAccount.objects.filter(
            platform__in=WEBHOOK_PLATFORMS, external_id__in=page_ids, is_active=True
        ).values_list("external_id", "pk")
    )


def active_page_ids() -> list[str]:
    return list(
        ChannelAccount.objects.filter(platform__in=WEBHOOK_PLATFORMS, is_active=True).values_list(
            "external_id", flat=True
        )
    )


def webhook_account_list() -> list[tuple[Any, ...]]:
    """Per active account: (pk, platform, display_name, last delivery, gaps)."""
    return list(
        ChannelAccount.objects.filter(is_active=True).values_list(
            "pk", "platform", "display_name", "webhook_last_delivery_at", "webhook_gaps"
        )
    )


def webhook_delivery_pending_count() -> int:
    return WebhookDelivery.objects.filter(ingested_at__isnull=True).count()


def _due() -> Q:
    """Not yet ingested, and not waiting for a retry's time."""
    return Q(ingested_at__isnull=True) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now())
    )


def webhook_delivery_due_exists() -> bool:
    return WebhookDelivery.objects.filter(_due()).exists()


def webhook_delivery_bodies(*, limit: int) -> dict[int, bytes]:
    """The oldest deliveries due for ingest (new, or a retry whose time has come): id → body."""
    rows = WebhookDelivery.objects.filter(_due()).order_by("pk").values_list("pk", "body")[:limit]
    return {pk: bytes(body) for pk, body in rows}
