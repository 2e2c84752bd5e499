"""The list filtered by a tag: newest activity first, paged by cursor, only the user's teams.

The tag filter walks the tag's links in their own index (``conv_tag_recent``); each link carries
copies of its conversation's team and latest activity that PostgreSQL triggers keep, whatever
writes the conversation or the link (migration 0012).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from inbox.models import Conversation, ConversationTag, Tag
from inbox.services import conversation_set_status, conversation_tag, messages_ingest
from tests.conftest import api_client_for
from tests.factories import AgentFactory, ChannelAccountFactory, inbound

pytestmark = pytest.mark.django_db


def _threads(account, names: list[str], start) -> dict[str, Conversation]:
    messages_ingest(
        account_id=account.pk,
        messages=[
            inbound(thread=name, author=name, handle=name, at=start + timedelta(minutes=i))
            for i, name in enumerate(names)
        ],
    )
    return {c.external_thread_id: c for c in Conversation.objects.filter(account=account)}


def _tag(user, conversation: Conversation, name: str = "klage") -> None:
    conversation_tag(user=user, conversation_id=conversation.pk, add=[name], remove=[])


def _link(conversation: Conversation) -> ConversationTag:
    return ConversationTag.objects.get(conversation=conversation)


def _pages(api, params: dict[str, str], size: int) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        query = {**params, "limit": str(size), **({"cursor": cursor} if cursor else {})}
        body = api.get("/api/conversations", query).json()
        pages.append([row["contact"]["handle"] for row in body["results"]])
        cursor = body["next_cursor"]
        if not cursor:
            return pages


def test_a_link_copies_its_conversations_team_and_latest_activity(agent, x_account):
    start = timezone.now() - timedelta(hours=2)
    conversation = _threads(x_account, ["t1"], start)["t1"]
    _tag(agent.user, conversation)
    link = _link(conversation)
    assert (link.team_id, link.status, link.last_message_at) == (
        conversation.team_id,
        "open",
        start,
    )


def test_a_link_follows_new_activity_status_and_a_move_to_another_team(
    agent, x_account, other_team
):
    start = timezone.now() - timedelta(hours=2)
    conversation = _threads(x_account, ["t1"], start)["t1"]
    _tag(agent.user, conversation)
    assert _link(conversation).status == "open"
    conversation_set_status(user=agent.user, conversation_id=conversation.pk, status="resolved")
    assert _link(conversation).status == "resolved"
    later = start + timedelta(hours=1)
    messages_ingest(
        account_id=x_account.pk, messages=[inbound(thread="t1", author="t1", handle="t1", at=later)]
    )
    assert _link(conversation).last_message_at == later
    assert _link(conversation).status == "open"  # the customer's new message reopened it

    Conversation.objects.filter(pk=conversation.pk).update(team=other_team)  # any write path
    assert _link(conversation).team_id == other_team.pk


def test_a_link_written_without_the_orm_gets_its_copies(agent, x_account):
    start = timezone.now() - timedelta(hours=2)
    conversation = _threads(x_account, ["t1"], start)["t1"]
    tag = Tag.objects.create(name="andet")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO inbox_conversation_tags (conversation_id, tag_id) VALUES (%s, %s)",
            [conversation.pk, tag.pk],
        )
    link = _link(conversation)
    assert (link.team_id, link.status, link.last_message_at) == (
        conversation.team_id,
        "open",
        start,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inbox_conversation SET last_message_at = %s, status = 'pending' WHERE id = %s",
            [start + timedelta(minutes=5), conversation.pk],
        )
    link = _link(conversation)
    assert (link.status, link.last_message_at) == ("pending", start + timedelta(minutes=5))


def test_conversations_with_the_same_latest_activity_page_by_id(api, agent, x_account):
    at = timezone.now() - timedelta(hours=1)
    threads = _threads(x_account, ["t1", "t2", "t3"], at)
    Conversation.objects.update(last_message_at=at)  # a tie on the page's sort key
    for conversation in threads.values():
        _tag(agent.user, conversation)
    newest_first = sorted(threads.values(), key=lambda c: c.pk, reverse=True)

    assert _pages(api, {"tag": "klage"}, size=1) == [[c.external_thread_id] for c in newest_first]


def test_tagged_conversations_come_newest_activity_first_page_by_page(api, agent, x_account):
    start = timezone.now() - timedelta(days=1)
    threads = _threads(x_account, [f"t{i}" for i in range(7)], start)
    for name in ("t0", "t2", "t3", "t5", "t6"):
        _tag(agent.user, threads[name])
    # New activity on an old tagged conversation moves it to the top.
    messages_ingest(
        account_id=x_account.pk,
        messages=[inbound(thread="t2", author="t2", handle="t2", at=start + timedelta(hours=1))],
    )

    pages = _pages(api, {"tag": "klage"}, size=2)

    assert pages == [["t2", "t6"], ["t5", "t3"], ["t0"]]


def test_the_tag_combines_with_the_other_filters(api, agent, x_account):
    start = timezone.now() - timedelta(days=1)
    threads = _threads(x_account, [f"t{i}" for i in range(5)], start)
    for conversation in threads.values():
        _tag(agent.user, conversation)
    for name in ("t1", "t3"):
        conversation_set_status(
            user=agent.user, conversation_id=threads[name].pk, status="resolved"
        )

    assert _pages(api, {"tag": "klage", "status": "open"}, size=1) == [
        ["t4"],
        ["t2"],
        ["t0"],
    ]
    assert _pages(api, {"tag": "klage", "status": "resolved", "q": "t1"}, size=5) == [["t1"]]


def test_another_teams_tagged_conversations_stay_hidden(
    api, agent, outsider, x_account, other_team, admin_agent
):
    start = timezone.now() - timedelta(days=1)
    ours = _threads(x_account, ["ours"], start)["ours"]
    theirs_account = ChannelAccountFactory(team=other_team, platform="x")
    theirs = _threads(theirs_account, ["theirs"], start + timedelta(hours=1))["theirs"]
    _tag(agent.user, ours)
    _tag(outsider.user, theirs)

    assert _pages(api, {"tag": "klage"}, size=5) == [["ours"]]
    assert _pages(api, {"tag": "klage", "team": str(other_team.pk)}, size=5) == [[]]
    assert _pages(api_client_for(admin_agent), {"tag": "klage"}, size=5) == [["theirs", "ours"]]


def test_an_unknown_tag_lists_nothing(api, agent, x_account):
    _tag(agent.user, _threads(x_account, ["t1"], timezone.now())["t1"])
    body = api.get("/api/conversations", {"tag": "ingen-sådan"}).json()
    assert body == {"results": [], "next_cursor": None}


def test_an_agent_in_no_team_sees_an_empty_list(x_account, agent):
    _tag(agent.user, _threads(x_account, ["t1"], timezone.now())["t1"])
    newcomer = api_client_for(AgentFactory(public_name="Ny Agent", teams=[]))
    for params in ({}, {"tag": "klage"}, {"q": "t1"}, {"order": "waiting"}):
        response = newcomer.get("/api/conversations", params)
        assert response.status_code == 200, params
        assert response.json() == {"results": [], "next_cursor": None}
