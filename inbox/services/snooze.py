"""Snooze: a conversation leaves the open views until a chosen time or until the customer writes
again (issue #17), then comes back with a live event.

A snooze changes only the status, never the response-time clock (docs/metrics.md, "Snooze"): a
customer who waits keeps waiting while the conversation sleeps, and a snooze set after the
agent replied starts no wait. Waking is done three ways, each idempotent: an RQ job scheduled
at the snooze's time, every worker's maintenance sweep (a lost job), and ingest when the
customer writes (:func:`snooze_wake_on_customer`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

import django_rq
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rq import Retry

from inbox.audit import audit
from inbox.events.kinds import conversation_status_changed_event
from inbox.events.log import announce
from inbox.exceptions import InvalidInput, InvalidTransition
from inbox.models import AuditAction, Conversation, ConversationStatus, Direction
from inbox.permissions.access import access_conversation, agent_of
from inbox.services._common import check_version, touch
from inbox.stored_text import Text

SNOOZE_MAX = timedelta(days=365)
WAKE_BATCH = 200
SNOOZABLE = frozenset({ConversationStatus.OPEN, ConversationStatus.PENDING})


@transaction.atomic(durable=True)
def conversation_snooze(
    *,
    user: AbstractBaseUser,
    conversation_id: int,
    until: datetime | None,
    expected_version: int | None = None,
) -> Conversation:
    """Snooze until ``until``, or with ``until=None`` until the customer writes again."""
    actor = agent_of(user)
    now = timezone.now()
    if until is not None and until.tzinfo is None:
        raise InvalidInput(_("The snooze's end needs a time zone."), field="until")
    if until is not None and until <= now:
        raise InvalidInput(_("A snooze must end in the future."), field="until")
    if until is not None and until > now + SNOOZE_MAX:
        raise InvalidInput(_("A snooze may last at most a year."), field="until")
    conversation = access_conversation(user, conversation_id, for_update=True)
    check_version(conversation, expected_version)
    previous = conversation.status
    if previous not in SNOOZABLE and previous != ConversationStatus.SNOOZED:
        raise InvalidTransition(
            Text(
                gettext_lazy("A %(previous)s conversation cannot be snoozed; reopen it first."),
                previous=previous,
            ),
            current_status=previous,
            allowed=sorted(SNOOZABLE),
        )
    conversation.status = ConversationStatus.SNOOZED
    conversation.snoozed_until = until
    touch(conversation, "status", "snoozed_until")
    audit(
        AuditAction.CONVERSATION_STATUS,
        actor=actor,
        object_type="conversation",
        object_id=conversation.pk,
        team_id=conversation.team_id,
        details={"from": previous, "to": "snoozed", "until": until.isoformat() if until else None},
    )
    announce(
        conversation_status_changed_event(
            conversation=conversation, actor=actor, previous_status=previous
        )
    )
    if until is not None:
        transaction.on_commit(lambda: snooze_wake_schedule(until))
    return conversation


def snooze_wake_schedule(at: datetime) -> None:
    """Ask RQ's scheduler to run the wake-up sweep at ``at`` (one job per second of wake time:
    snoozes ending together share it)."""
    django_rq.get_queue("default").enqueue_at(
        at,
        "inbox.services.snooze.snooze_wake_due",
        job_id=f"snooze-wake-{int(at.timestamp())}",
        retry=Retry(max=3, interval=[5, 30, 120]),
    )


def snooze_wake_due(*, now: datetime | None = None) -> int:
    """Wake every conversation whose snooze has ended; returns how many woke. Each wakes in its
    own transaction, so one conversation's lock never holds back the others."""
    now = now or timezone.now()
    woken = 0
    while True:
        due = list(
            Conversation.objects.filter(status=ConversationStatus.SNOOZED, snoozed_until__lte=now)
            .order_by("snoozed_until", "pk")
            .values_list("pk", flat=True)[:WAKE_BATCH]
        )
        for conversation_id in due:
            woken += _wake_one(conversation_id, now)
        if len(due) < WAKE_BATCH:
            return woken


@transaction.atomic(durable=True)
def _wake_one(conversation_id: int, now: datetime) -> int:
    conversation = (
        Conversation.objects.select_for_update(of=("self",), no_key=True)
        .prefetch_related("assignee")  # read after the lock (docs/architecture.md §3.5)
        .defer("search_vector")
        .filter(pk=conversation_id, status=ConversationStatus.SNOOZED, snoozed_until__lte=now)
        .first()
    )
    if conversation is None:
        return 0  # woken meanwhile (the customer wrote, an agent reopened it)
    conversation.status = ConversationStatus.OPEN
    conversation.snoozed_until = None
    touch(conversation, "status", "snoozed_until")
    announce(
        conversation_status_changed_event(
            conversation=conversation, actor=None, previous_status=ConversationStatus.SNOOZED
        )
    )
    return 1


def snooze_wake_on_customer(
    conversations: Iterable[Conversation], by_conversation: Mapping[int, Sequence[object]]
) -> None:
    """Ingest's hook, after the new messages were applied: a snoozed conversation the customer
    wrote in is open again (its messages.received event carries the open snapshot). The
    caller holds the conversations' locks and has written their status already; this writes
    the status and the cleared snooze of those that woke, in one statement, only if any did."""
    woke = [
        c
        for c in conversations
        if c.status == ConversationStatus.SNOOZED
        and any(
            getattr(m, "direction", None) == Direction.INBOUND
            for m in by_conversation.get(c.pk, ())
        )
    ]
    if not woke:
        return
    for conversation in woke:
        conversation.status = ConversationStatus.OPEN
        conversation.snoozed_until = None
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inbox_conversation SET status = %s, snoozed_until = NULL WHERE id = ANY(%s)",
            [ConversationStatus.OPEN.value, [c.pk for c in woke]],
        )
