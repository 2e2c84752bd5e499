"""Idempotent bulk ingest of what the connectors read from a platform (docs/architecture.md
§1, §6)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql

from connectors.base import InboundMessage, Platform
from inbox.db.bulk import db_value, insert_columns, server_bound
from inbox.db.storable import storable_message
from inbox.events.kinds import messages_received_events
from inbox.events.log import announce
from inbox.metrics.recording import record_ingested
from inbox.models import (
    ChannelAccount,
    Contact,
    Conversation,
    ConversationStatus,
    DeliveryState,
    Direction,
    Message,
)
from inbox.selectors.conversations import conversation_list_known_threads
from inbox.selectors.messages import message_list_known_external_ids
from inbox.services.auto_moderation import auto_moderate_ingested
from inbox.services.email_html import message_html_rows_create
from inbox.services.ingest_notices import notify_customer_wrote
from inbox.services.locks import lock_channel_account
from inbox.services.media_ingest import media_rows_create, snippet_of
from inbox.services.search_text import searchable_text
from inbox.services.team_flow_ingest import team_flow_ingested

SNIPPET_LENGTH = 200
# A tsvector may not exceed 1 MB: index the beginning of long threads and of long messages.
SEARCH_MAX_LEXEMES = 5_000
SEARCH_TEXT_PER_BATCH = 20_000


@dataclass(frozen=True, slots=True)
class IngestResult:
    created: int  # messages stored now
    duplicates: int  # messages already stored (replays, overlapping pages, concurrent polls)
    conversations_created: int
    conversations_reopened: int


@transaction.atomic(durable=True)
def messages_ingest(
    *,
    account_id: int,
    messages: Sequence[InboundMessage],
    cursor: Mapping[str, str] | None = None,
) -> IngestResult:
    """Store new messages, thread them into conversations and advance the poll cursor, at once.

    Runs under a lock on the channel account, so two polls of one account serialise and the
    cursor never moves backwards; ``UNIQUE(account, external_id)`` still guards every row.
    """
    account = lock_channel_account(account_id)
    result = messages_ingest_locked(account, messages)
    if cursor is not None:
        account.poll_cursor = dict(cursor)
        account.save(update_fields=["poll_cursor"])
    return result


def messages_ingest_locked(
    account: ChannelAccount, messages: Sequence[InboundMessage]
) -> IngestResult:
    """The body of :func:`messages_ingest`; the caller holds the account's row lock."""
    with connection.cursor() as cursor:
        # No JIT for the rest of this transaction. PostgreSQL compiles any plan costed above
        # jit_above_cost, and the planner overestimates some of these lookups (IN lists of
        # hundreds of ids, the correlated MAX of the response-time ledger) by orders of
        # magnitude: ~1 s of compiling for a query that runs in 2 ms, once per poll.
        cursor.execute("SET LOCAL jit = off")
    now = timezone.now()
    unique = list({m.external_id: storable_message(m) for m in messages}.values())
    known = message_list_known_external_ids(
        account_id=account.pk, external_ids=[m.external_id for m in unique]
    )
    fresh = sorted((m for m in unique if m.external_id not in known), key=_order)

    created_threads: set[str] = set()
    reopened = 0
    if fresh:
        contacts = _upsert_contacts(account, fresh)
        conversations, created_threads, settled = _upsert_conversations(
            account, fresh, contacts, now
        )
        stored = _insert_messages(account, fresh, contacts, conversations, now)
        media_rows_create(fresh, stored)  # fetched after commit, by a job
        message_html_rows_create(fresh, stored)  # e-mail: the sanitised HTML, for its sandbox
        by_conversation: dict[int, list[StoredMessage]] = defaultdict(list)
        for message in stored:
            by_conversation[message.conversation_id].append(message)
        reopened = _apply_to_conversations(conversations, by_conversation, settled)
        tagged = team_flow_ingested(conversations.values(), by_conversation, settled)  # #17
        record_ingested(conversations.values(), stored, new=settled)  # response times
        notify_customer_wrote(conversations.values(), stored, new=settled)  # before announce
        announce(
            *messages_received_events(
                conversations=conversations.values(),
                messages=by_conversation,
                created=settled,
                tagged=tagged,
            )
        )
        # The account's automatic moderation: hides queued now, applied after commit.
        auto_moderate_ingested(account, [m.pk for m in stored])

    return IngestResult(
        created=len(fresh),
        duplicates=len(messages) - len(fresh),
        conversations_created=len(created_threads),
        conversations_reopened=reopened,
    )


def _order(message: InboundMessage) -> tuple[datetime, str]:
    return (message.sent_at, message.external_id)


def _upsert_contacts(
    account: ChannelAccount, messages: Sequence[InboundMessage]
) -> dict[str, Contact]:
    """Insert new customers and refresh the name and handle of known ones, in one statement
    whose RETURNING gives every contact of the batch (no second query to read them back)."""
    latest = {m.author.external_id: m.author for m in messages if not m.from_account}
    # A thread started by the account itself still needs a customer: the one it answers.
    for m in messages:
        if m.from_account and m.author.external_id not in latest:
            latest.setdefault(m.author.external_id, m.author)
    refs = sorted(latest.values(), key=lambda ref: ref.external_id)  # a fixed lock order
    now = timezone.now()
    rows = server_bound(
        sql.SQL("""
        INSERT INTO inbox_contact AS c (platform, external_id, name, handle, created_at, updated_at)
        SELECT %b, t.external_id, t.name, t.handle, %b, %b
          FROM unnest(%b::text[], %b::text[], %b::text[]) AS t(external_id, name, handle)
        ON CONFLICT (platform, external_id) DO UPDATE
           SET name = COALESCE(NULLIF(EXCLUDED.name, ''), c.name), handle = COALESCE(NULLIF(
               EXCLUDED.handle, ''), c.handle), updated_at = EXCLUDED.updated_at
        RETURNING id, external_id, name, handle
        """),
        [
            str(account.platform),
            now,
            now,
            [ref.external_id for ref in refs],
            [ref.name for ref in refs],
            [ref.handle for ref in refs],
        ],
    )
    return {
        external_id: Contact(
            id=pk, platform=account.platform, external_id=external_id, name=name, handle=handle
        )
        for pk, external_id, name, handle in rows
    }


def _upsert_conversations(
    account: ChannelAccount,
    messages: Sequence[InboundMessage],
    contacts: Mapping[str, Contact],
    now: datetime,
) -> tuple[dict[str, Conversation], set[str], set[int]]:
    """Lock the touched conversations, creating the new ones. Returns them by thread, the
    threads created, and the ids of those already written in their final state."""
    by_thread: dict[str, list[InboundMessage]] = defaultdict(list)
    for m in messages:  # already in time order
        by_thread[m.thread_external_id].append(m)
    threads = list(by_thread)
    existing = conversation_list_known_threads(account_id=account.pk, thread_ids=threads)
    new = {
        t: _new_conversation(account, by_thread[t], contacts) for t in threads if t not in existing
    }
    email = account.platform == Platform.EMAIL
    inserted = _insert_conversations(list(new.values()), [
        " ".join(searchable_text(m, email=email) for m in by_thread[t]) for t in new
    ])  # fmt: skip
    # The rows inserted now are ours (locked, invisible to others until commit) and already
    # in memory; only the others are read, locked in a fixed order.
    conversations: dict[str, Conversation] = {}
    for thread, pk in inserted.items():
        conversation = new[thread]
        conversation.pk = pk
        conversation._state.adding = False
        conversation._state.db = connection.alias
        conversations[thread] = conversation
    others = [t for t in threads if t not in inserted]
    if others:
        for c in (
            Conversation.objects.select_for_update(of=("self",), no_key=True)
            .select_related("contact")
            .prefetch_related("assignee")  # read after the lock: see access_conversation
            .defer("search_vector")
            .filter(account=account, external_thread_id__in=others)
            .order_by("pk")  # a fixed lock order
        ):
            c.account = account
            conversations[c.external_thread_id] = c
    return conversations, set(inserted), set(inserted.values())


def _new_conversation(
    account: ChannelAccount, messages: Sequence[InboundMessage], contacts: Mapping[str, Contact]
) -> Conversation:
    """A new thread as it stands after its first messages."""
    first = messages[0]
    # The customer of a thread is the first non-account author seen in it.
    customer = next((m.author for m in messages if not m.from_account), first.author)
    conversation = Conversation(
        account=account,
        contact=contacts[customer.external_id],
        kind=first.kind,
        external_thread_id=first.thread_external_id,
        team_id=account.team_id,
        status=ConversationStatus.OPEN,
        opened_at=first.sent_at,
        last_message_at=first.sent_at,
        version=0,
    )
    _advance(conversation, [(m.sent_at, m.from_account, snippet_of(m)) for m in messages])
    return conversation


def _insert_conversations(rows: Sequence[Conversation], texts: Sequence[str]) -> dict[str, int]:
    """INSERT new conversations with their search text; returns the ids of those inserted by
    thread (a thread another transaction created first is skipped, and updated like any other).

    In their final state, so each row and its many indexes are written once, not inserted
    and then updated in the same transaction.
    """
    if not rows:
        return {}
    fields = [
        f for f in Conversation._meta.concrete_fields
        if not f.primary_key and f.column != "search_vector"
    ]  # fmt: skip
    names = sql.SQL(", ").join(sql.Identifier(f.column) for f in fields)
    statement = sql.SQL("""
        INSERT INTO inbox_conversation ({names}, search_vector)
        SELECT {source}, to_tsvector('simple', ct.name || ' ' || ct.handle)
                         || to_tsvector('simple', left(t.search_text, %b))
          FROM unnest({arrays}, %b::text[]) WITH ORDINALITY AS t({names}, search_text, n)
          JOIN inbox_contact AS ct ON ct.id = t.contact_id
         ORDER BY t.n
        ON CONFLICT DO NOTHING
        RETURNING external_thread_id, id
    """).format(
        names=names,
        source=sql.SQL(", ").join(sql.Identifier("t", f.column) for f in fields),
        arrays=sql.SQL(", ").join(
            sql.SQL("%b::{}[]").format(sql.SQL(f.db_type(connection))) for f in fields
        ),
    )
    values = [SEARCH_TEXT_PER_BATCH, *([db_value(f, r) for r in rows] for f in fields), texts]
    return dict(server_bound(statement, values))


@dataclass(slots=True)
class StoredMessage:
    """A message as this ingest stored it: what the conversation update, the response-time
    ledger and the event read (the attributes ``message_snapshot`` reads, named as on
    ``Message``). Not a model instance: building one per message cost more than its INSERT."""

    pk: int
    conversation_id: int
    direction: str
    external_id: str
    body: str
    author_contact_id: int | None
    platform_time: datetime
    delivery_state: str
    author_agent_id: None = None
    delivery_error: str = ""
    delivery_attempts: int = 0
    snippet: str = ""  # the body, or what a message that is only media shows ("Photo")
    search: str = ""  # what a search finds it by, when more than its text (an e-mail's subject)
    media: list = field(default_factory=list)  # its Media rows, for the event

    @property
    def text(self) -> str:
        return self.body


def _insert_messages(
    account: ChannelAccount,
    messages: Sequence[InboundMessage],
    contacts: Mapping[str, Contact],
    conversations: Mapping[str, Conversation],
    now: datetime,
) -> list[StoredMessage]:
    """INSERT the new messages from column arrays (every column: no database defaults)."""
    conversation_ids = [conversations[m.thread_external_id].pk for m in messages]
    directions = [
        (Direction.OUTBOUND if m.from_account else Direction.INBOUND).value for m in messages
    ]
    authors = [None if m.from_account else contacts[m.author.external_id].pk for m in messages]
    states = [
        (DeliveryState.SENT if m.from_account else DeliveryState.RECEIVED).value for m in messages
    ]
    bodies = [m.body for m in messages]
    count = len(messages)
    ids = insert_columns(
        Message,
        {
            "conversation": conversation_ids,
            "account": [account.pk] * count,
            "direction": directions,
            "external_id": [m.external_id for m in messages],
            "body": bodies,
            "signature": [""] * count,
            "text": bodies,
            "author_contact": authors,
            "author_agent": [None] * count,
            "in_reply_to_external_id": [m.in_reply_to_external_id or "" for m in messages],
            "platform_time": [m.sent_at for m in messages],
            "received_at": [now] * count,
            "delivery_state": states,
            "delivery_error": [""] * count,
            "delivery_attempts": [0] * count,
            "delivery_started_at": [None] * count,
        },
    )
    return [
        StoredMessage(
            pk=pk,
            conversation_id=conversation_id,
            direction=direction,
            external_id=m.external_id,
            body=m.body,
            author_contact_id=author,
            platform_time=m.sent_at,
            delivery_state=state,
            snippet=snippet_of(m),
            search=searchable_text(m, email=True) if account.platform == Platform.EMAIL else "",
        )
        for (pk,), m, conversation_id, direction, author, state in zip(
            ids, messages, conversation_ids, directions, authors, states, strict=True
        )
    ]


def _apply_to_conversations(
    conversations: Mapping[str, Conversation],
    by_conversation: Mapping[int, Sequence[StoredMessage]],
    settled: set[int],
) -> int:
    """Advance each touched conversation through its new messages, in time order (those
    created in their final state already are)."""
    reopened = 0
    changed: list[Conversation] = []
    for conversation in conversations.values():
        new_messages = by_conversation.get(conversation.pk)
        if not new_messages or conversation.pk in settled:
            continue
        reopened += _advance(
            conversation,
            [(m.platform_time, m.direction == Direction.OUTBOUND, m.snippet) for m in new_messages],
        )
        changed.append(conversation)
    _save_conversations(changed, by_conversation)
    return reopened


def _advance(conversation: Conversation, messages: Sequence[tuple[datetime, bool, str]]) -> bool:
    """Apply new messages ``(time, written by the account, body)`` in time order to a
    conversation's state and bump its version. Returns whether a resolved one reopened."""
    reopened = False
    for platform_time, outbound, body in messages:
        if platform_time >= conversation.last_message_at:
            conversation.last_message_at = platform_time
        if outbound:
            # Answered outside Svar (the platform's own app): nobody waits any more.
            conversation.waiting_since = None
            continue
        conversation.snippet = body[:SNIPPET_LENGTH]
        if conversation.status == ConversationStatus.RESOLVED:
            conversation.status = ConversationStatus.OPEN
            conversation.opened_at = platform_time
            conversation.resolved_at = None
            reopened = True
        elif conversation.status == ConversationStatus.PENDING:
            conversation.status = ConversationStatus.OPEN
        if conversation.waiting_since is None:
            conversation.waiting_since = platform_time
    conversation.version += 1
    return reopened


def _save_conversations(
    changed: Sequence[Conversation], by_conversation: Mapping[int, Sequence[StoredMessage]]
) -> None:
    """Write the touched conversations' new state and fold their new message text (and, for
    new threads, the customer's name) into the search index, in one UPDATE from arrays.

    Not ``bulk_update`` plus a search UPDATE: ``bulk_update`` builds a CASE WHEN per row and
    field in Python (most of an ingest's time at a few hundred messages), and a second UPDATE
    writes every row, and every index of the table, a second time.
    """
    if not changed:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE inbox_conversation AS c
               SET last_message_at = t.last_message_at, snippet = t.snippet, status = t.status,
                   opened_at = t.opened_at, resolved_at = t.resolved_at,
                   waiting_since = t.waiting_since, version = t.version,
                   search_vector = CASE
                     WHEN length(c.search_vector) >= %s THEN c.search_vector
                     ELSE COALESCE(c.search_vector,
                                   to_tsvector('simple', ct.name || ' ' || ct.handle))
                          || to_tsvector('simple', left(t.body, %s))
                   END
              FROM unnest(%s::bigint[], %s::timestamptz[], %s::text[], %s::text[],
                          %s::timestamptz[], %s::timestamptz[], %s::timestamptz[], %s::bigint[],
                          %s::text[])
                   AS t(id, last_message_at, snippet, status, opened_at, resolved_at,
                        waiting_since, version, body),
                   inbox_contact AS ct
             WHERE c.id = t.id AND ct.id = c.contact_id
            """,
            [
                SEARCH_MAX_LEXEMES,
                SEARCH_TEXT_PER_BATCH,
                [c.pk for c in changed],
                [c.last_message_at for c in changed],
                [c.snippet for c in changed],
                [str(c.status) for c in changed],
                [c.opened_at for c in changed],
                [c.resolved_at for c in changed],
                [c.waiting_since for c in changed],
                [c.version for c in changed],
                [" ".join(m.search or m.text for m in by_conversation[c.pk]) for c in changed],
            ],
        )
