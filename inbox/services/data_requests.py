"""Data-subject requests (issue #19): the record of an export, and erasure.

Erasure anonymises in place rather than deleting rows: conversations keep their status, times
and response intervals (last year's metrics do not change), and nothing that references them
breaks; what identifies or was written by or to the person is blanked. Each conversation is
its own short transaction (lock 5 of docs/architecture.md §3.5, then its rows), the person's
contacts are anonymised last in one more (lock 4 alone), so ingest and the inbox never wait
long. A conversation on legal hold is left whole and named in the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from inbox.audit import audit
from inbox.media.lifecycle import media_erase
from inbox.models import (
    AuditAction,
    Contact,
    Conversation,
    DataRequest,
    DataRequestKind,
    DeliveryState,
    InboxEvent,
    Message,
    MessageHtml,
    Note,
    PrivateReply,
    ReplyApproval,
)
from inbox.permissions.access import agent_of
from inbox.selectors.customer_data import (
    DataScope,
    data_scope,
    legal_hold_filter,
    scope_conversations,
    scope_messages,
    scope_notes,
)

ERASED = "[erased]"
UNSENT = [DeliveryState.QUEUED, DeliveryState.AWAITING_APPROVAL, DeliveryState.SENT_BACK]
# Keys of an event payload that carry what a customer or an agent wrote, or who the customer is.
_PERSONAL_KEYS = {"text", "body", "signature", "snippet", "name", "handle", "note", "alt_text",
                  "link_url", "reason", "reason_detail", "filename"}  # fmt: skip


@transaction.atomic(durable=True)
def data_request_record(
    *, user: AbstractBaseUser, kind: DataRequestKind, scope: DataScope,
    counts: dict[str, int], held: list[int] = (),
) -> DataRequest:  # fmt: skip
    """Record a handled request (counts and ids, never the data) and audit it."""
    agent = agent_of(user)
    request = DataRequest.objects.create(
        kind=kind, handled_by=agent, handled_by_label=user.get_username(),
        team_ids=scope.team_ids or [], all_teams=scope.team_ids is None,
        contact_ids=scope.contact_ids, counts=counts, held_conversation_ids=list(held),
        created_at=timezone.now(),
    )  # fmt: skip
    exported = kind == DataRequestKind.EXPORT
    action = AuditAction.DATA_EXPORTED if exported else AuditAction.DATA_ERASED
    teams = scope.team_ids or []
    audit(
        action, actor=agent, user=user, object_type="data_request", object_id=request.pk,
        team_id=teams[0] if len(teams) == 1 else None,
        details={"counts": counts, "held_conversation_ids": list(held)},
    )  # fmt: skip
    return request


@dataclass
class Erasure:
    request_id: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    held_conversation_ids: list[int] = field(default_factory=list)
    kept_contact_ids: list[int] = field(default_factory=list)  # still in a held conversation


def _redacted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("" if k in _PERSONAL_KEYS and isinstance(v, str) else _redacted(v))
                for k, v in value.items()}  # fmt: skip
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    return value


def _blank_messages(message_ids: Any) -> int:
    PrivateReply.objects.filter(message_id__in=message_ids).update(text=ERASED, error="")
    ReplyApproval.objects.filter(message_id__in=message_ids).update(note="", original_body="")
    # A reply not yet handed to the platform is never sent after its text is gone.
    Message.objects.filter(pk__in=message_ids, delivery_state__in=UNSENT).update(
        delivery_state=DeliveryState.FAILED
    )
    return Message.objects.filter(pk__in=message_ids).update(
        body=ERASED, text=ERASED, signature="", delivery_error=""
    )


@transaction.atomic(durable=True)
def _conversation_erase(conversation_id: int, scope: DataScope, whole: bool) -> dict[str, int]:
    """Blank one conversation: all of it if it is the person's (``whole``), else only the
    person's messages in it. Nothing if it went on legal hold meanwhile."""
    locked = Conversation.objects.select_for_update(no_key=True).filter(pk=conversation_id)
    if not locked.exclude(legal_hold_filter()).exists():
        return {}
    messages = scope_messages(scope).filter(conversation_id=conversation_id).values("pk")
    counts = {"media_files": media_erase(messages)}  # the files leave after the commit
    MessageHtml.objects.filter(message_id__in=messages).delete()  # an e-mail's HTML body
    counts["messages"] = _blank_messages(messages)
    if whole:
        counts["notes"] = Note.objects.filter(conversation_id=conversation_id).delete()[0]
        Conversation.objects.filter(pk=conversation_id).update(
            snippet="", search_vector=None, version=F("version") + 1
        )
        events = InboxEvent.objects.filter(conversation_id=conversation_id)
        for event in events.only("pk", "payload").iterator(chunk_size=500):
            InboxEvent.objects.filter(pk=event.pk).update(payload=_redacted(event.payload))
    return counts


def _notes_naming(scope: DataScope, erasure: Erasure) -> None:
    """Notes outside the person's conversations that name them: the names are struck out."""
    terms = scope.mentions()
    if not terms:
        return
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)),
                         re.IGNORECASE)  # fmt: skip
    notes = scope_notes(scope).exclude(conversation__contact_id__in=scope.contact_ids)
    notes = notes.exclude(conversation__in=Conversation.objects.filter(legal_hold_filter()))
    for note in notes.only("pk", "body").iterator(chunk_size=500):
        with transaction.atomic(durable=True):
            Note.objects.filter(pk=note.pk).update(body=pattern.sub(ERASED, note.body))
        erasure.counts["notes_redacted"] = erasure.counts.get("notes_redacted", 0) + 1


def _contacts_still_needed(scope: DataScope, held: list[int]) -> list[int]:
    """The person's contacts a held conversation, or one outside the request's teams, uses."""
    ids = scope.contact_ids
    needed = set(
        Conversation.objects.filter(pk__in=held, contact_id__in=ids).values_list(
            "contact_id", flat=True
        )
    )
    needed |= set(
        Message.objects.filter(conversation_id__in=held, author_contact_id__in=ids).values_list(
            "author_contact_id", flat=True
        )
    )
    if scope.team_ids is not None:
        outside = Conversation.objects.exclude(team_id__in=scope.team_ids)
        needed |= set(outside.filter(contact_id__in=ids).values_list("contact_id", flat=True))
    return sorted(needed)


@transaction.atomic(durable=True)
def _contacts_erase(scope: DataScope, keep: set[int]) -> int:
    """Anonymise the person's contacts no held conversation needs: a new message from the
    same platform account then starts a new contact (the platform id is gone)."""
    ids = [pk for pk in scope.contact_ids if pk not in keep]
    locked = list(Contact.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk"))
    for contact in locked:
        Contact.objects.filter(pk=contact.pk).update(
            name="", handle="", email="", external_id=f"erased-{contact.pk}", profile=None
        )
    return len(locked)


def data_erase(*, user: AbstractBaseUser, contact_id: int) -> Erasure:
    """Erase the person of ``contact_id`` within the teams the user may read."""
    scope = data_scope(user, contact_id)
    erasure = Erasure()
    own = set(scope_conversations(scope).values_list("pk", flat=True))
    touched = own | set(scope_messages(scope).values_list("conversation_id", flat=True))
    held = Conversation.objects.filter(legal_hold_filter(), pk__in=touched)
    erasure.held_conversation_ids = sorted(held.values_list("pk", flat=True))
    for conversation_id in sorted(touched - set(erasure.held_conversation_ids)):
        for key, n in _conversation_erase(conversation_id, scope, conversation_id in own).items():
            erasure.counts[key] = erasure.counts.get(key, 0) + n
    _notes_naming(scope, erasure)
    erasure.kept_contact_ids = _contacts_still_needed(scope, erasure.held_conversation_ids)
    erasure.counts["contacts"] = _contacts_erase(scope, set(erasure.kept_contact_ids))
    erasure.request_id = data_request_record(
        user=user, kind=DataRequestKind.ERASE, scope=scope, counts=erasure.counts,
        held=erasure.held_conversation_ids,
    ).pk  # fmt: skip
    return erasure
