"""Threading e-mail into conversations (docs/platforms.md, "E-mail").

A mail joins the conversation of the newest message it names (In-Reply-To, then References,
RFC 5322 §3.6.4), but only one of the same customer: a mail whose References point at another
customer's thread starts its own. Mail that names nothing known (clients that drop the
headers) joins the same customer's latest conversation with the same subject, reply and
forward prefixes stripped (Re, SV, VS, AW, Fwd, FW, VB…), when it looks like a reply: it
carries a prefix or names unknown messages. Otherwise it starts a conversation of its own,
named by its Message-ID. Duplicates (one Message-ID seen twice, or in two folders) are
dropped by the ingest's ``UNIQUE(account, external_id)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from django.db import connection

from connectors.base import InboundMessage
from connectors.email.compose import REPLY_PREFIX, normalised_subject
from inbox.models import ChannelAccount, Conversation, Message


def email_threads_resolve(
    account: ChannelAccount, messages: Sequence[InboundMessage]
) -> list[InboundMessage]:
    """The messages with ``thread_external_id`` set to the conversation each belongs to."""
    ordered = sorted(messages, key=lambda m: (m.sent_at, m.external_id))
    named = {r for m in ordered for r in m.references}
    known = {
        external_id: (thread, customer)
        for external_id, thread, customer in Message.objects.filter(
            account=account, external_id__in=named
        ).values_list(
            "external_id", "conversation__external_thread_id", "conversation__contact__external_id"
        )  # fmt: skip
    }
    by_subject = _subjects(account, {m.author.external_id for m in ordered})
    resolved: list[InboundMessage] = []
    for message in ordered:
        customer = message.author.external_id
        thread = _by_references(message, known, customer)
        subject = normalised_subject(message.subject)
        looks_like_reply = bool(message.references) or bool(REPLY_PREFIX.match(message.subject))
        if thread is None and subject and looks_like_reply:
            thread = by_subject.get((customer, subject))
        thread = thread or message.external_id
        known[message.external_id] = (thread, customer)
        by_subject.setdefault((customer, subject), thread)
        resolved.append(replace(message, thread_external_id=thread))
    return resolved


def _by_references(
    message: InboundMessage, known: dict[str, tuple[str, str]], customer: str
) -> str | None:
    for reference in reversed(message.references):  # the newest (In-Reply-To) first
        found = known.get(reference)
        if found is not None and found[1] == customer:
            return found[0]
    return None


def _subjects(account: ChannelAccount, customers: set[str]) -> dict[tuple[str, str], str]:
    """(customer, normalised subject) → their latest conversation with that subject."""
    rows = (
        Conversation.objects.filter(account=account, contact__external_id__in=customers)
        .exclude(subject="")
        .order_by("last_message_at")
        .values_list("contact__external_id", "subject", "external_thread_id")
    )
    return {(customer, normalised_subject(s)): thread for customer, s, thread in rows}


def email_subjects_record(account: ChannelAccount, messages: Sequence[InboundMessage]) -> None:
    """Give conversations without a subject the subject of their first message, in one UPDATE."""
    first: dict[str, str] = {}
    for message in sorted(messages, key=lambda m: m.sent_at):
        if message.subject:
            first.setdefault(message.thread_external_id, message.subject)
    if not first:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE inbox_conversation AS c SET subject = t.subject
              FROM unnest(%s::text[], %s::text[]) AS t(thread, subject)
             WHERE c.account_id = %s AND c.external_thread_id = t.thread AND c.subject = ''
            """,
            [list(first), list(first.values()), account.pk],
        )
