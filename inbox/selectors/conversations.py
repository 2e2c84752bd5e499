"""Reads of conversations. List queries page by keyset (never OFFSET, never COUNT(*)) along an
index."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, prefetch_related_objects
from django.utils.translation import gettext_lazy as _

from inbox.exceptions import InvalidInput
from inbox.models import (
    Conversation,
    ConversationGrant,
    ConversationStatus,
    ConversationTag,
    Message,
    MessageHtml,
    Note,
)
from inbox.params import ID_MAX
from inbox.permissions.access import (
    access_conversation,
    agent_of,
    conversations_of_teams,
    conversations_visible_to,
    is_guest,
    readable_team_ids,
)
from inbox.selectors.conversation_rows import ConversationRow, conversation_rows
from inbox.selectors.mentions import grant_list
from inbox.selectors.search_walk import walk_budget
from inbox.selectors.tags import tag_get_id
from inbox.stored_text import Text

_WORD = re.compile(r"\w+", re.UNICODE)
SEARCH_TERMS_MAX = 8
MESSAGES_PER_DETAIL = 200


class ListOrder(StrEnum):
    RECENT = "recent"  # newest activity first
    WAITING = "waiting"  # longest-waiting customer first; only conversations someone waits on


@dataclass(frozen=True, slots=True)
class ConversationFilters:
    status: Sequence[str] = ()
    assignee: str | None = None  # "me", "unassigned" or an agent id
    team_id: int | None = None
    platform: str | None = None
    tag: str | None = None
    search: str | None = None
    order: ListOrder = ListOrder.RECENT


@dataclass(frozen=True, slots=True)
class ConversationPage:
    items: list[ConversationRow]
    next_cursor: str | None


def _encode_cursor(order: ListOrder, value: datetime, pk: int) -> str:
    raw = json.dumps({"o": order.value, "v": value.isoformat(), "id": pk}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, order: ListOrder) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        if data["o"] != order.value:
            raise ValueError("cursor of another order")
        value = datetime.fromisoformat(data["v"])
        pk = int(data["id"])
        if not 0 < pk <= ID_MAX:
            raise ValueError("id out of range")
        if value.tzinfo is None:
            raise ValueError("naive time")
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise InvalidInput(
            _("The cursor is not valid for this list; start again without it."), field="cursor"
        ) from error
    return value, pk


def _search_words(text: str | None) -> list[str]:
    return _WORD.findall((text or "").lower())[:SEARCH_TERMS_MAX]


def _search_query(words: list[str]) -> str:
    """A prefix tsquery of the words typed (``mette fak`` → ``mette:* & fak:*``)."""
    return " & ".join(f"{w}:*" for w in words)


def _with_search(queryset: QuerySet[Conversation], words: list[str]) -> QuerySet[Conversation]:
    if not words:
        return queryset
    # A lookup, not extra(where=…) naming the table: inside the page-ids subquery the table is
    # aliased, and a hard-coded name would point at the outer query.
    return queryset.filter(
        search_vector=SearchQuery(_search_query(words), config="simple", search_type="raw")
    )


def _filtered(
    team_ids: list[int] | None, user: AbstractBaseUser, filters: ConversationFilters
) -> QuerySet[Conversation]:
    """The conversations matching every filter but the tag and the search words."""
    queryset = conversations_of_teams(team_ids)
    for status in filters.status:
        if status not in ConversationStatus.values:
            raise InvalidInput(
                Text(
                    _("Unknown status %(status)s; use %(choices)s."),
                    status=repr(status),
                    choices=", ".join(ConversationStatus.values),
                ),
                field="status",
            )
    if filters.status:
        queryset = queryset.filter(status__in=list(filters.status))
    if filters.assignee == "me":
        queryset = queryset.filter(assignee=agent_of(user))
    elif filters.assignee == "unassigned":
        queryset = queryset.filter(assignee__isnull=True)
    elif filters.assignee:
        if not filters.assignee.isdigit():
            raise InvalidInput(
                _("assignee must be 'me', 'unassigned' or an agent id."), field="assignee"
            )
        queryset = queryset.filter(assignee_id=int(filters.assignee))
    if filters.team_id is not None:
        queryset = queryset.filter(team_id=filters.team_id)
    if filters.platform:
        queryset = queryset.filter(account__platform=filters.platform)
    return queryset


def _older_than(after: tuple[datetime, int], id_field: str) -> Q:
    """Past the cursor in newest-first order; the ``<=`` on the time lets the index range start
    at the cursor instead of filtering every newer row."""
    value, pk = after
    return Q(last_message_at__lte=value) & (
        Q(last_message_at__lt=value) | Q(**{f"{id_field}__lt": pk})
    )


def _page_rows(
    page_ids: QuerySet[Any] | list[int], ordering: tuple[str, ...]
) -> list[ConversationRow]:
    """The page's rows, with what a list row shows (``snapshots.conversation_snapshot``).

    The page's ids are picked first, by an index walk that stops after a page (``page_ids``), and
    only those rows are joined: given the joins in the same query, the planner may join every
    match before sorting (seen with search: 50 ms instead of 5 ms).
    """
    return conversation_rows(Conversation.objects.filter(id__in=page_ids).order_by(*ordering))


def conversation_list(
    *,
    user: AbstractBaseUser,
    filters: ConversationFilters,
    cursor: str | None = None,
    limit: int = 50,
) -> ConversationPage:
    team_ids = readable_team_ids(user)
    queryset = _filtered(team_ids, user, filters)
    words = _search_words(filters.search)
    after = _decode_cursor(cursor, filters.order) if cursor else None
    # The tag's id as a constant lets the planner use the link table's statistics for that tag
    # (a join on the name it cannot estimate).
    tag_id = tag_get_id(name=filters.tag) if filters.tag else None
    if filters.tag and tag_id is None:
        return ConversationPage(items=[], next_cursor=None)  # an unknown tag matches nothing
    if team_ids == []:  # an agent in no team yet sees nothing (and SQL has no empty IN)
        return ConversationPage(items=[], next_cursor=None)
    size = limit + 1
    if filters.order == ListOrder.WAITING:
        ordering = ("waiting_since", "id")
        queryset = _with_search(queryset.filter(waiting_since__isnull=False), words)
        if tag_id is not None:
            tagged = ConversationTag.objects.filter(conversation_id=OuterRef("pk"), tag_id=tag_id)
            queryset = queryset.filter(Exists(tagged))
        if after:
            value, pk = after
            queryset = queryset.filter(
                Q(waiting_since__gte=value) & (Q(waiting_since__gt=value) | Q(id__gt=pk))
            )
        page_ids = queryset.order_by(*ordering).values("id")[:size]
    else:
        ordering = ("-last_message_at", "-id")
        if tag_id is not None:
            matching = _with_search(queryset, words)
            page_ids = _tagged_page_ids(matching, team_ids, filters, tag_id, after, size)
        else:
            if after:
                queryset = queryset.filter(_older_than(after, "id"))
            newest_first = queryset.order_by(*ordering)
            if words:
                page_ids = _search_page_ids(newest_first, words, size)
            else:
                page_ids = newest_first.values("id")[:size]
    rows = _page_rows(page_ids, ordering)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        key = last.waiting_since if filters.order == ListOrder.WAITING else last.last_message_at
        next_cursor = _encode_cursor(filters.order, key, last.pk)
    return ConversationPage(items=rows, next_cursor=next_cursor)


def _search_page_ids(
    newest_first: QuerySet[Conversation], words: list[str], size: int
) -> list[int]:
    """The ids of a search page, newest first, found one of two ways
    (inbox/selectors/search_walk.py).

    Common words: walk the list newest first checking each row's words, which stops at a full
    page; exact, since the walk follows the page's order. A walk that ends short of a page is
    the answer when it walked every row there is (asking the index for a common word would
    gather all its matches to keep a few). Rare words, or a walk cut short by its budget: every
    match from the full-text index, then the newest. The match set is materialised so the
    planner cannot choose to walk the list itself: guessing how rare a word is, it walked all
    250,000 conversations of a team for a word no one wrote (262 ms).
    """
    query = _search_query(words)
    budget = walk_budget(words)
    if budget:
        walk = newest_first.values("id", "last_message_at", "search_vector")[:budget]
        walk_sql, walk_params = walk.query.sql_with_params()
        walked_sql, walked_params = newest_first.values("id")[:budget].query.sql_with_params()
        # One statement, so the count of rows walked sees what the walk saw; the count is a
        # subquery PostgreSQL runs only when the CASE asks for it (a page short of full).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT found.ids, CASE WHEN cardinality(found.ids) < %s"  # noqa: S608 -- the ORM's SQL
                f" THEN (SELECT count(*) FROM ({walked_sql}) AS walked) END"
                f" FROM (SELECT ARRAY(SELECT newest.id FROM ({walk_sql}) AS newest"
                "   WHERE newest.search_vector @@ to_tsquery('simple', %s)"
                "   ORDER BY newest.last_message_at DESC, newest.id DESC LIMIT %s)"
                " AS ids) AS found",
                [size, *walked_params, *walk_params, query, size],
            )
            ids, walked = cursor.fetchone()
        if len(ids) == size or walked < budget:
            return ids  # a full page, or every row was walked (a small list: one agent's, say)
    matches = _with_search(newest_first.order_by(), words).values("id", "last_message_at")
    matches_sql, params = matches.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH matches AS MATERIALIZED ({matches_sql})"  # noqa: S608 -- the ORM's own SQL
            " SELECT id FROM matches ORDER BY last_message_at DESC, id DESC LIMIT %s",
            [*params, size],
        )
        return [pk for (pk,) in cursor]


def _tagged_page_ids(
    conversations: QuerySet[Conversation],
    team_ids: list[int] | None,
    filters: ConversationFilters,
    tag_id: int,
    after: tuple[datetime, int] | None,
    size: int,
) -> QuerySet[ConversationTag]:
    """Newest first, the ids of tagged conversations that pass the other filters: a walk of the
    tag's links in ``conv_tag_recent`` (team and status checked in the index) that looks up
    each candidate and stops after ``size``. Walking the team's newest conversations instead
    and probing each for the tag took 17 ms for a tag on 0.9 % of them
    (bench/conversations_list.py)."""
    links = ConversationTag.objects.filter(
        Exists(conversations.filter(pk=OuterRef("conversation_id"))), tag_id=tag_id
    )
    if team_ids is not None:
        links = links.filter(team_id__in=team_ids)
    if filters.team_id is not None:
        links = links.filter(team_id=filters.team_id)
    if filters.status:
        links = links.filter(status__in=list(filters.status))
    if after:
        links = links.filter(_older_than(after, "conversation_id"))
    return links.order_by("-last_message_at", "-conversation_id").values("conversation_id")[:size]


@dataclass(frozen=True, slots=True)
class ConversationDetail:
    conversation: Conversation
    messages: list[Message]
    earlier_messages: bool  # older messages exist beyond this page
    notes: list[Note]
    grants: list[ConversationGrant]  # colleagues of other teams pulled in by a mention
    guest: bool  # the user reads it through a grant: notes only


def conversation_get(*, user: AbstractBaseUser, conversation_id: int) -> ConversationDetail:
    conversation = access_conversation(user, conversation_id, guest=True)
    latest = list(
        conversation.messages.select_related("author_contact", "author_agent")
        .prefetch_related("media", "reply_attachments")  # what came, and what went (#13)
        .annotate(has_html=Exists(MessageHtml.objects.filter(message_id=OuterRef("pk"))))
        .order_by("-platform_time", "-id")[: MESSAGES_PER_DETAIL + 1]
    )
    earlier = len(latest) > MESSAGES_PER_DETAIL
    messages = list(reversed(latest[:MESSAGES_PER_DETAIL]))
    notes = list(conversation.notes.select_related("author"))
    prefetch_related_objects([conversation], "tags")
    return ConversationDetail(
        conversation=conversation, messages=messages, earlier_messages=earlier, notes=notes,
        grants=grant_list(conversation_id=conversation.pk), guest=is_guest(user, conversation),
    )  # fmt: skip


def contact_conversation_list(
    *, user: AbstractBaseUser, conversation: Conversation, limit: int = 10
) -> list[Conversation]:
    """The same person's other conversations the user may see, on every channel (the
    contacts of its profile, issue #19), newest first."""
    contact = conversation.contact
    same = (
        Q(contact_id=contact.pk)
        if contact.profile_id is None
        else Q(contact__profile_id=contact.profile_id)
    )
    return list(
        conversations_visible_to(user)
        .filter(same)
        .exclude(pk=conversation.pk)
        .select_related("account")
        .order_by("-last_message_at", "-id")[:limit]
    )


def conversation_list_known_threads(*, account_id: int, thread_ids: list[str]) -> set[str]:
    """Which of these platform thread ids the account has a conversation for already."""
    return set(
        Conversation.objects.filter(
            account_id=account_id, external_thread_id__in=thread_ids
        ).values_list("external_thread_id", flat=True)
    )
