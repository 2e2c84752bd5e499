"""Hostile input goes through ingest, the API and the pages without a 500, without being
lost, and without being interpreted: customer text is stored verbatim and comes back as JSON
data or escaped HTML; what PostgreSQL cannot store is replaced visibly, never dropped."""

from __future__ import annotations

import json
import re
import time

import pytest
from django.test import Client
from django.utils.html import escape

from connectors import jobs
from connectors.simulator import demo
from inbox.models import Contact, Conversation, Message, Note
from inbox.services import messages_ingest
from inbox.services.accounts import channel_account_create
from tests.connectors.twitter_support import ME
from tests.factories import inbound
from tests.security.hostile import CORPUS, LONE_SURROGATE, NUL, OVERSIZED, XSS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hostile_inbox(x_sim, team) -> list[str]:
    """Every corpus entry as a customer's mention, name and handle, polled in for real."""
    account = channel_account_create(
        platform="x", display_name="@skattefar", external_id=ME, team_name=team.name,
        token=demo.X_TOKEN, base_url=x_sim.base_url,
    )  # fmt: skip
    texts = [*CORPUS, OVERSIZED, NUL]
    for n, text in enumerate(texts):
        author = {"id": str(8000 + n), "username": f"k{n}", "name": text[:50]}
        x_sim.app.add_mention(ME, author, text)
    outcome = jobs.poll_account(account.pk)
    assert outcome.startswith(f"stored {len(texts)}"), outcome
    return texts


def stored_bodies() -> list[str]:
    return list(Message.objects.filter(direction="in").values_list("body", flat=True))


def test_ingest_stores_every_hostile_message_once_and_verbatim(hostile_inbox):
    bodies = stored_bodies()
    assert len(bodies) == len(hostile_inbox)
    for text in [*CORPUS, OVERSIZED]:
        assert f"@{demo.X_ACCOUNT_USERNAME} {text}" in bodies  # the simulator adds the handle
    names = set(Contact.objects.values_list("name", flat=True))
    assert {t[:50] for t in CORPUS} <= names


def test_what_postgresql_cannot_store_is_replaced_visibly_not_lost(hostile_inbox, x_account):
    assert any(b.endswith("nul\ufffdbyte") for b in stored_bodies())

    result = messages_ingest(
        account_id=x_account.pk,
        messages=[inbound(body=LONE_SURROGATE, name=LONE_SURROGATE, external_id="surrogate")],
    )

    assert result.created == 1
    stored = Message.objects.get(external_id="surrogate")
    assert stored.body == "lone \ufffd surrogate"
    assert stored.author_contact.name == "lone \ufffd surrogate"


def test_the_api_returns_hostile_text_as_json_data(hostile_inbox, agent):
    client = Client()
    client.force_login(type(agent.user).objects.get(pk=agent.user.pk))
    listing = client.get("/api/conversations?limit=200")
    assert listing.status_code == 200
    assert listing["Content-Type"] == "application/json"
    assert listing["X-Content-Type-Options"] == "nosniff"
    returned = []
    for row in listing.json()["results"]:
        detail = client.get(f"/api/conversations/{row['id']}")
        assert detail.status_code == 200
        returned += [m["text"] for m in detail.json()["messages"]]
    assert sorted(returned) == sorted(stored_bodies())


@pytest.mark.parametrize("query", ["' OR 1=1 --", "'; DROP TABLE inbox_message; --", "%", "\\"])
def test_sql_looking_search_is_search_syntax_never_sql(hostile_inbox, agent, query):
    client = Client()
    client.force_login(type(agent.user).objects.get(pk=agent.user.pk))

    response = client.get("/api/conversations", {"q": query, "limit": 200})

    assert response.status_code in (200, 400)
    assert Message.objects.filter(direction="in").count() == len(hostile_inbox)


def test_a_search_for_sql_finds_the_message_that_contains_it_and_runs_none(hostile_inbox, agent):
    client = Client()
    client.force_login(type(agent.user).objects.get(pk=agent.user.pk))

    started = time.monotonic()
    response = client.get("/api/conversations", {"q": "pg_sleep"})

    assert time.monotonic() - started < 5  # "SELECT pg_sleep(10)" was text, not a statement
    (row,) = response.json()["results"]
    assert row["snippet"].endswith("1; SELECT pg_sleep(10)")


DATA_BLOCK = re.compile(r'<script id="[\w-]+" type="application/json">(.*?)</script>', re.S)


def test_the_pages_escape_every_hostile_string(hostile_inbox, agent):
    client = Client()
    client.force_login(type(agent.user).objects.get(pk=agent.user.pk))
    pages = [client.get("/")] + [
        client.get(f"/conversations/{pk}/")
        for pk in Conversation.objects.values_list("pk", flat=True)
    ]
    html = "".join(p.content.decode() for p in pages)
    assert all(p.status_code == 200 for p in pages)
    # A JSON data block is never run (the customer's name in the texts proposed in their
    # language); what matters is that nothing in it can close it: no "<" left unescaped.
    blocks = DATA_BLOCK.findall(html)
    assert blocks
    assert not any("<" in block for block in blocks)
    html = DATA_BLOCK.sub("", html)
    for payload in XSS:
        assert payload not in html
    assert escape(XSS[0]) in html


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'{"body": "\xff\xfe invalid utf-8"}', "application/json"),
        (b'["body"]', "application/json"),
        (json.dumps({"body": "x" * 100_001}).encode(), "application/json"),
        (b"body=hej", "application/x-www-form-urlencoded"),
        (b"", "application/json"),
    ],
    ids=["bad-json", "invalid-utf8", "array", "oversized", "form", "empty"],
)
@pytest.mark.parametrize("action", ["reply", "notes", "reply/preview"])
def test_bad_request_bodies_are_400s_and_change_nothing(
    api, conversation, body, content_type, action
):
    response = api.generic(
        "POST", f"/api/conversations/{conversation.pk}/{action}", body, content_type=content_type
    )
    assert response.status_code in (400, 415), response.content
    assert response.json()["error"]["code"] in ("invalid", "parse_error", "unsupported_media_type")
    assert Message.objects.filter(direction="out").count() == 0
    assert not Note.objects.exists()


@pytest.mark.parametrize("text", XSS)
def test_agents_hostile_text_is_stored_verbatim_and_returned_as_data(api, conversation, text):
    note = api.post(f"/api/conversations/{conversation.pk}/notes", {"body": text}, format="json")

    assert note.status_code == 201
    assert note.json()["note"]["body"] == text
    assert Note.objects.get().body == text
