"""Notifications (issue #17): what an agent is told about their own work.

Services call :func:`notify` inside their transaction, before ``announce`` (the team row stays
the last lock, docs/architecture.md §3.5): it skips the actor and the kinds a recipient switched
off, takes each recipient's next sequence numbers under their ``NotificationInbox`` row lock
(recipients in id order, one statement for all), stores the rows in one insert, and after
commit rings each recipient's ``agent.<id>`` group with the rows' wire form. The rows are the
truth; a lost ring is made good by the WebSocket's catch-up (web/ws/notification_stream.py).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inbox.events.doorbell import agent_group
from inbox.exceptions import InvalidInput
from inbox.models import Notification, NotificationInbox, NotificationKind
from inbox.permissions.access import agent_of
from inbox.selectors.notifications import notification_wire
from inbox.stored_text import Text

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Notice:
    recipient_id: int
    kind: NotificationKind
    conversation_id: int | None
    actor_id: int | None = None


_ALLOCATE_SQL = f"""
    INSERT INTO {NotificationInbox._meta.db_table} AS box (agent_id, seq, muted_kinds)
    SELECT agent_id, n, '[]'::jsonb FROM unnest(%s::bigint[], %s::bigint[]) AS t(agent_id, n)
    ORDER BY agent_id
    ON CONFLICT (agent_id) DO UPDATE SET seq = box.seq + EXCLUDED.seq
    RETURNING agent_id, seq
"""  # noqa: S608 -- table name from the model


def notify(notices: Iterable[Notice]) -> list[Notification]:
    """Store and (after commit) deliver notices, inside the caller's transaction."""
    wanted = [n for n in notices if n.recipient_id != n.actor_id]
    if not wanted:
        return []
    muted = dict(
        NotificationInbox.objects.filter(agent_id__in={n.recipient_id for n in wanted}).values_list(
            "agent_id", "muted_kinds"
        )
    )
    wanted = [n for n in wanted if n.kind not in muted.get(n.recipient_id, ())]
    if not wanted:
        return []
    counts = Counter(n.recipient_id for n in wanted)
    recipients = sorted(counts)
    with connection.cursor() as cursor:
        cursor.execute(_ALLOCATE_SQL, [recipients, [counts[r] for r in recipients]])
        last = dict(cursor.fetchall())
    next_seq = {r: last[r] - counts[r] + 1 for r in recipients}
    now = timezone.now()
    rows = []
    for notice in wanted:
        seq = next_seq[notice.recipient_id]
        next_seq[notice.recipient_id] = seq + 1
        rows.append(
            Notification(
                recipient_id=notice.recipient_id,
                seq=seq,
                kind=notice.kind,
                conversation_id=notice.conversation_id,
                actor_id=notice.actor_id,
                created_at=now,
            )  # fmt: skip
        )
    Notification.objects.bulk_create(rows)
    transaction.on_commit(lambda: ring(rows))
    return rows


def ring(rows: Sequence[Notification]) -> None:
    """Tell each recipient's connections; at-most-once, the connections fill gaps."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    by_recipient: dict[int, list[Notification]] = defaultdict(list)
    for row in rows:
        by_recipient[row.recipient_id].append(row)
    for recipient_id, own in by_recipient.items():
        message: dict[str, Any] = {
            "type": "inbox.notification",
            "first_seq": own[0].seq,
            "last_seq": own[-1].seq,
            "items": [notification_wire(row) for row in own],
        }
        try:
            async_to_sync(layer.group_send)(agent_group(recipient_id), message)
        except Exception:
            logger.warning("notification ring for agent %s failed", recipient_id, exc_info=True)


@transaction.atomic(durable=True)
def notifications_mark_read(
    *, user: AbstractBaseUser, seqs: Sequence[int] | None = None, read: bool = True
) -> int:
    """Mark some (``seqs``) or all of the user's notifications read (or unread again)."""
    agent = agent_of(user)
    rows = Notification.objects.filter(recipient=agent)
    if seqs is not None:
        rows = rows.filter(seq__in=list(seqs))
    if read:
        return rows.filter(read_at__isnull=True).update(read_at=timezone.now())
    return rows.filter(read_at__isnull=False).update(read_at=None)


@transaction.atomic(durable=True)
def notification_kinds_mute(*, user: AbstractBaseUser, muted: Iterable[str]) -> list[str]:
    """The kinds the agent does not want to be told about (their profile's switches)."""
    agent = agent_of(user)
    kinds = sorted(set(muted))
    unknown = [k for k in kinds if k not in NotificationKind.values]
    if unknown:
        raise InvalidInput(
            Text(_("Unknown notification kinds: %(choices)s."), choices=", ".join(unknown)),
            field="muted",
        )
    NotificationInbox.objects.update_or_create(agent=agent, defaults={"muted_kinds": kinds})
    return kinds
