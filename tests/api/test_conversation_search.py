"""Searching the list: the newest conversations whose words start with every word typed.

A page is found by walking the list newest first when PostgreSQL's statistics say the words are
common, and from the full-text index when they are rare or the walk ends short of a page
(inbox/selectors/search_walk.py). Whichever way, the pages are the same.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inbox.models import Conversation
from inbox.selectors import search_walk
from inbox.services import conversation_assign, messages_ingest
from tests.factories import inbound

pytestmark = pytest.mark.django_db

WALK = "AS newest"
INDEX = "MATERIALIZED"


@pytest.fixture
def inbox(x_account) -> list[str]:
    """40 conversations, newest last in this list: every one asks about 'forskud', every third
    is from a Mette, one mentions 'årsopgørelse'. The statistics are then gathered."""
    start = timezone.now() - timedelta(days=2)
    bodies = []
    for i in range(40):
        who = "Mette Hansen" if i % 3 == 0 else "Lars Holm"
        extra = " og årsopgørelse" if i == 7 else ""
        bodies.append(f"{who} spørger om forskud {i}{extra}")
    messages_ingest(
        account_id=x_account.pk,
        messages=[
            inbound(thread=f"s{i}", author=f"c{i}", handle=f"h{i}", name="Kunde", body=body,
                    at=start + timedelta(minutes=i))
            for i, body in enumerate(bodies)
        ],
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE inbox_conversation")  # read at the first search (conftest.py)
    return bodies


@pytest.fixture
def cheap_walks(monkeypatch):
    """Statistics of 40 rows promise little to gather: let the walk be worth it here."""
    monkeypatch.setattr(search_walk, "ENTRY_COST_RATIO", 1)
    monkeypatch.setattr(search_walk, "WALK_MIN", 3)  # one row in 40 stays rare


def _search(api, q: str, size: int) -> tuple[list[list[str]], str]:
    pages, cursor = [], None
    with CaptureQueriesContext(connection) as captured:
        while True:
            params = {"q": q, "limit": str(size), **({"cursor": cursor} if cursor else {})}
            body = api.get("/api/conversations", params).json()
            pages.append([row["snippet"] for row in body["results"]])
            cursor = body["next_cursor"]
            if not cursor:
                break
    return pages, " ".join(q["sql"] for q in captured.captured_queries)


def _expected(bodies: list[str], keep, size: int) -> list[list[str]]:
    newest_first = [b for b in reversed(bodies) if keep(b)]
    pages = [newest_first[i : i + size] for i in range(0, len(newest_first), size)]
    return pages or [[]]


def test_common_words_are_found_by_walking_newest_first(api, inbox, cheap_walks):
    pages, sql = _search(api, "mette fors", size=5)

    assert pages == _expected(inbox, lambda b: b.startswith("Mette"), 5)
    assert WALK in sql


def test_a_walk_that_ends_short_of_a_page_asks_the_index(api, inbox, cheap_walks, monkeypatch):
    monkeypatch.setattr(search_walk, "WALK_MAX", 6)  # two Mettes in six rows: a page needs 5

    pages, sql = _search(api, "mette", size=4)

    assert pages == _expected(inbox, lambda b: b.startswith("Mette"), 4)
    assert WALK in sql
    assert INDEX in sql


def test_rare_words_are_found_in_the_index(api, inbox, cheap_walks):
    pages, sql = _search(api, "årsopg", size=5)

    assert pages == [[inbox[7]]]
    assert INDEX in sql
    assert WALK not in sql


def test_a_word_nobody_wrote_finds_nothing(api, inbox, cheap_walks):
    pages, _sql = _search(api, "zzzq", size=5)
    assert pages == [[]]
    pages, _sql = _search(api, "mette zzzq", size=5)  # one common word, one nobody wrote
    assert pages == [[]]


def test_without_cheap_walks_the_same_pages_come_from_the_index(api, inbox):
    pages, sql = _search(api, "mette fors", size=5)

    assert pages == _expected(inbox, lambda b: b.startswith("Mette"), 5)
    assert WALK not in sql


def test_the_walk_budget_follows_how_common_the_words_are(inbox, cheap_walks):
    everyone = search_walk.walk_budget(["forskud"])
    a_third = search_walk.walk_budget(["mette"])
    assert everyone >= 40
    assert 0 < a_third < everyone
    assert search_walk.walk_budget(["zzzq"]) == 0
    assert search_walk.walk_budget(["mette", "forskud"]) > everyone


def test_a_walk_over_a_short_list_is_the_whole_answer(api, agent, inbox, cheap_walks):
    # One agent's conversations: fewer rows than the walk may take, so the walk saw them all
    # and the index (every 'forskud' in the inbox) is not asked.
    mine = Conversation.objects.order_by("id")[:3]
    for conversation in mine:
        conversation_assign(user=agent.user, conversation_id=conversation.pk, assignee_id=agent.pk)
    with CaptureQueriesContext(connection) as captured:
        body = api.get("/api/conversations", {"q": "forskud", "assignee": "me"}).json()
    sql = " ".join(q["sql"] for q in captured.captured_queries)

    assert {row["id"] for row in body["results"]} == {c.pk for c in mine}
    assert WALK in sql
    assert INDEX not in sql


def test_conversations_with_the_same_latest_activity_page_by_id(api, inbox, cheap_walks):
    Conversation.objects.update(last_message_at=timezone.now() - timedelta(hours=1))
    ids = sorted(Conversation.objects.values_list("id", flat=True), reverse=True)
    snippets = dict(Conversation.objects.values_list("id", "snippet"))

    pages, sql = _search(api, "forskud", size=7)

    assert [s for page in pages for s in page] == [snippets[i] for i in ids]
    assert WALK in sql
