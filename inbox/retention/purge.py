"""One batch of the retention job: delete or anonymise a few conversations in one short
transaction, then drop the contacts nobody refers to any more in another.

Locks follow docs/architecture.md §3.5: the batch locks only conversations (#5), skipping any
that another transaction holds (a poll adding a message, an agent writing a note) — they are
taken by the next run; the contacts (#4 comes before #5) are deleted in their own transaction
afterwards, again skipping locked rows, so ingest upserting a contact never waits on us.
Response intervals are kept: a deleted conversation's intervals lose their link
(``SET NULL``), an anonymised one keeps it, so the metrics do not change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from inbox.models import (
    Contact,
    Conversation,
    InboxEvent,
    Media,
    Message,
    Note,
    PrivateReply,
    ReplyApproval,
    ReplyAttachment,
    RetentionAction,
)
from inbox.retention.media import media_files_release
from inbox.retention.policies import AccountRule, due_filter
from inbox.retention.rows import Deleted, rows_delete

ERASED = "erased"  # the placeholder contact's external id, one per platform


def _lock_due(ids: Sequence[int], rules: dict[int, AccountRule]) -> list[Conversation]:
    """The batch's conversations still due (re-checked under the lock), skipping locked ones."""
    return list(
        Conversation.objects.filter(due_filter(rules), pk__in=ids)
        .select_for_update(of=("self",), skip_locked=True)  # never the account row (#2)
        .select_related("account")
        .only("pk", "account_id", "contact_id", "account__platform")
        .order_by("pk")
    )


def erased_contacts_ensure(platforms: set[str]) -> None:
    """Create the placeholder contacts before a batch: inserting a contact while holding
    conversations would take lock #4 after #5."""
    for platform in platforms:
        Contact.objects.get_or_create(platform=platform, external_id=ERASED)


def _erased_contact(platform: str) -> Contact:
    return Contact.objects.get(platform=platform, external_id=ERASED)


def _delete(conversations: list[Conversation], out: Deleted) -> Counter:
    """The conversations and everything that cascades from them, in SQL (rows.py)."""
    ids = [c.pk for c in conversations]
    InboxEvent.objects.filter(conversation_id__in=ids).delete()  # their payloads hold words
    before = Counter(out.counts)
    rows_delete(Conversation, Conversation._meta.pk.column, ids, out)
    went = out.counts - before
    return Counter(
        conversations=went["inbox.Conversation"],
        messages=went["inbox.Message"],
        notes=went["inbox.Note"],
    )


def _anonymise(conversations: list[Conversation], out: Deleted) -> Counter:
    """Keep the conversation's times, status, tags and messages' times and authors among the
    staff (what the metrics and their rebuild read); drop every word, every media file (the
    customer's media and the agents' reply attachments) and the customer."""
    ids = [c.pk for c in conversations]
    message_ids = Message.objects.filter(conversation_id__in=ids)
    kept_messages = list(message_ids.values_list("pk", flat=True))
    rows_delete(Media, "message_id", kept_messages, out)
    # The agents' attachments may name or show the customer too: they go like the photos.
    rows_delete(ReplyAttachment, "conversation_id", ids, out)
    rows_delete(ReplyAttachment, "message_id", kept_messages, out)
    PrivateReply.objects.filter(message__in=message_ids).update(text="", error="")
    ReplyApproval.objects.filter(message__in=message_ids).update(reasons=[], note="")
    messages = message_ids.update(
        body="", text="", signature="", external_id=None, in_reply_to_external_id="",
        delivery_error="", author_contact=None,
    )  # fmt: skip
    notes, _ = Note.objects.filter(conversation_id__in=ids).delete()
    InboxEvent.objects.filter(conversation_id__in=ids).delete()
    now = timezone.now()
    for conversation in conversations:
        Conversation.objects.filter(pk=conversation.pk).update(
            contact=_erased_contact(conversation.account.platform), snippet="",
            search_vector=None, external_thread_id=f"{ERASED}-{conversation.pk}",
            anonymised_at=now,
        )  # fmt: skip
    return Counter(conversations=len(conversations), messages=messages, notes=notes)


def _contacts_of(conversations: list[Conversation]) -> set[int]:
    ids = [c.pk for c in conversations]
    authors = Message.objects.filter(conversation_id__in=ids, author_contact__isnull=False)
    return {c.contact_id for c in conversations} | set(
        authors.values_list("author_contact_id", flat=True)
    )


def batch_purge_locked(ids: Sequence[int], rules: dict[int, AccountRule]) -> tuple[Counter, set]:
    """Delete or anonymise these conversations if still due, inside the caller's transaction;
    returns the counts and the contacts they referred to."""
    counts, out = Counter(), Deleted()
    locked = _lock_due(ids, rules)
    contacts = _contacts_of(locked)
    for action in RetentionAction:
        group = [c for c in locked if rules[c.account_id].action == action]
        if group:
            counts.update(_delete(group, out) if action == RetentionAction.DELETE else
                          _anonymise(group, out))  # fmt: skip
            counts[f"{action}d_conversations"] += len(group)
    counts["media_files"] += media_files_release(out.media_paths)
    counts["media_bytes"] += out.media_bytes
    return counts, contacts


def contacts_drop_unreferenced(contact_ids: Sequence[int]) -> int:
    """Delete those of these contacts no conversation or message refers to any more."""
    if not contact_ids:
        return 0
    with transaction.atomic():
        free = (
            Contact.objects.filter(pk__in=contact_ids)
            .exclude(external_id=ERASED)
            .exclude(Q(conversations__isnull=False) | Q(messages__isnull=False))
        )
        locked = list(
            Contact.objects.filter(pk__in=free.values("pk"))
            .select_for_update(of=("self",), skip_locked=True)  # never the account row (#2)
            .values_list("pk", flat=True)
        )
        # Re-checked under the lock: a conversation may have been stored meanwhile.
        still_free = list(free.filter(pk__in=locked).values_list("pk", flat=True))
        out = Deleted()
        rows_delete(Contact, Contact._meta.pk.column, still_free, out)
    return out.counts["inbox.Contact"]
