"""Reads of the notification centre: keyset pages by seq (``UNIQUE(recipient, seq)`` serves
every page with one index range scan, however long the history), the unread count, and the
catch-up read of the WebSocket."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from inbox.events.snapshots import agent_snapshot, iso
from inbox.models import Notification, NotificationInbox
from inbox.permissions.access import agent_of

PAGE_SIZE = 30
CATCH_UP_MAX = 500  # beyond this a connection is told to reload the centre over REST


def notification_wire(row: Notification) -> dict[str, Any]:
    return {
        "seq": row.seq,
        "kind": row.kind,
        "conversation_id": row.conversation_id,
        "actor": agent_snapshot(row.actor) if row.actor_id else None,
        "created_at": iso(row.created_at),
        "read": row.read_at is not None,
    }


@dataclass(frozen=True, slots=True)
class NotificationPage:
    items: list[dict[str, Any]]
    next_before: int | None  # the seq to ask ``before`` for the next (older) page
    unread: int
    head: int  # the newest seq: where a live stream starts


def notification_page(
    *, user: AbstractBaseUser, before: int | None = None, size: int = PAGE_SIZE
) -> NotificationPage:
    agent = agent_of(user)
    rows = Notification.objects.filter(recipient=agent).select_related("actor")
    if before is not None:
        rows = rows.filter(seq__lt=before)
    page = list(rows.order_by("-seq")[: size + 1])
    more = len(page) > size
    page = page[:size]
    return NotificationPage(
        items=[notification_wire(r) for r in page],
        next_before=page[-1].seq if more else None,
        unread=notification_unread_count(agent_id=agent.pk),
        head=notification_head(agent_id=agent.pk),
    )


def notification_unread_count(*, agent_id: int) -> int:
    return Notification.objects.filter(recipient_id=agent_id, read_at__isnull=True).count()


def notification_head(*, agent_id: int) -> int:
    head = NotificationInbox.objects.filter(agent_id=agent_id).values_list("seq", flat=True)
    return next(iter(head), 0)


def notification_muted_kinds(*, agent_id: int) -> list[str]:
    muted = NotificationInbox.objects.filter(agent_id=agent_id).values_list("muted_kinds")
    return next((m for (m,) in muted), [])


def notifications_since(*, agent_id: int, after: int) -> list[dict[str, Any]] | None:
    """What a connection missed after ``after``, oldest first; None when too many."""
    rows = list(
        Notification.objects.filter(recipient_id=agent_id, seq__gt=after)
        .select_related("actor")
        .order_by("seq")[: CATCH_UP_MAX + 1]
    )
    if len(rows) > CATCH_UP_MAX:
        return None
    return [notification_wire(r) for r in rows]
