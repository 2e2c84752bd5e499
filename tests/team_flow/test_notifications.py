"""Notifications (issue #17): who is told what, switched off per kind, and a centre that stays
one index range read however long the history."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inbox.models import Notification, NotificationInbox
from inbox.selectors.notifications import notification_page
from inbox.services import conversation_assign, messages_ingest, note_create, reply_create
from inbox.services.approval import reply_send_back
from inbox.services.delivery import reply_delivery_failed
from inbox.services.notifications import notification_kinds_mute, notifications_mark_read
from tests.conftest import api_client_for
from tests.factories import AgentFactory, inbound
from tests.web.test_inbox_pages import logged_in

pytestmark = pytest.mark.django_db


def kinds(agent) -> list[str]:
    return list(Notification.objects.filter(recipient=agent).order_by("seq").values_list("kind"))


def test_assignment_by_someone_else_tells_the_assignee_not_the_one_who_claims(
    agent, colleague, conversation
):
    conversation_assign(user=colleague.user, conversation_id=conversation.pk, assignee_id=agent.pk)
    conversation_assign(user=agent.user, conversation_id=conversation.pk, assignee_id=agent.pk)
    assert kinds(agent) == [("assigned_to_me",)]
    assert kinds(colleague) == []


def test_a_customer_writing_again_tells_the_owner_once_per_batch(
    agent, colleague, x_account, conversation
):
    conversation_assign(user=colleague.user, conversation_id=conversation.pk, assignee_id=agent.pk)
    batch = [inbound(thread="t1", external_id=str(200 + i), body=f"Og {i}") for i in range(5)]
    batch.append(inbound(thread="t-new", external_id="300"))  # a new conversation: no owner
    with CaptureQueriesContext(connection) as queries:
        messages_ingest(account_id=x_account.pk, messages=batch)
    assert kinds(agent) == [("assigned_to_me",), ("customer_wrote_again",)]
    told = [q["sql"] for q in queries if "notification" in q["sql"].lower()]
    assert len(told) == 3  # kinds switched off, the seq of every recipient, one insert


def test_a_failed_reply_and_a_reply_sent_back_tell_the_author(team, agent, manager, conversation):
    reply = reply_create(user=agent.user, conversation_id=conversation.pk, body="Hej")
    reply_delivery_failed(message_id=reply.pk, reason="X said no")
    new = AgentFactory(public_name="Nina Ny", teams=[team], needs_approval=True)
    held = reply_create(user=new.user, conversation_id=conversation.pk, body="Første")
    reply_send_back(user=manager.user, message_id=held.pk, revision=1, note="Kortere")
    assert kinds(agent) == [("reply_failed",)]
    assert kinds(new) == [("reply_sent_back",)]
    assert Notification.objects.get(recipient=new).actor == manager


def test_a_kind_switched_off_is_not_stored(agent, outsider, conversation):
    notification_kinds_mute(user=outsider.user, muted=["mention"])
    note_create(user=agent.user, conversation_id=conversation.pk, body=f"@{outsider.user.username}")
    assert kinds(outsider) == []
    client = api_client_for(outsider)
    assert client.get("/api/notifications/settings").json() == {"muted": ["mention"]}
    assert (
        client.put("/api/notifications/settings", {"muted": ["x"]}, format="json").status_code
        == 400
    )
    client.put("/api/notifications/settings", {"muted": []}, format="json")
    note_create(user=agent.user, conversation_id=conversation.pk, body=f"@{outsider.user.username}")
    assert kinds(outsider) == [("mention",)]


def test_seqs_are_consecutive_per_recipient(agent, colleague, outsider, conversation):
    for _ in range(3):
        note_create(
            user=agent.user,
            conversation_id=conversation.pk,
            body=f"@{colleague.user.username} @{outsider.user.username}",
        )
    for someone in (colleague, outsider):
        seqs = list(Notification.objects.filter(recipient=someone).values_list("seq", flat=True))
        assert sorted(seqs) == [1, 2, 3]
        assert NotificationInbox.objects.get(agent=someone).seq == 3


def test_read_and_unread(agent, colleague, conversation):
    for _ in range(3):
        note_create(
            user=colleague.user, conversation_id=conversation.pk, body=f"@{agent.user.username}"
        )
    client = api_client_for(agent)
    assert client.get("/api/notifications").json()["unread"] == 3
    assert notifications_mark_read(user=agent.user, seqs=[2]) == 1
    page = client.get("/api/notifications").json()
    assert [(n["seq"], n["read"]) for n in page["results"]] == [(3, False), (2, True), (1, False)]
    assert client.post("/api/notifications/read", {}, format="json").json() == {"changed": 2}
    assert client.get("/api/notifications").json()["unread"] == 0


@pytest.fixture
def ten_thousand(agent, conversation) -> None:
    """10,000 notifications for one agent, stored as the service stores them."""
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(recipient=agent, seq=i, kind="mention", conversation=conversation,
                     created_at=now, read_at=now if i % 3 else None)
        for i in range(1, 10_001)
    )  # fmt: skip
    NotificationInbox.objects.create(agent=agent, seq=10_000)
    AgentFactory.create_batch(3)  # other agents' rows are not scanned either
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE inbox_notification")


def test_ten_thousand_notifications_page_by_keyset_in_a_fixed_number_of_queries(
    agent, ten_thousand
):
    with CaptureQueriesContext(connection) as first:
        page = notification_page(user=agent.user)
    with CaptureQueriesContext(connection) as deep:
        deep_page = notification_page(user=agent.user, before=40)
    assert [n["seq"] for n in page.items][:2] == [10_000, 9_999]
    assert [n["seq"] for n in deep_page.items] == list(range(39, 9, -1))
    assert len(first) == len(deep) <= 5  # the same queries on page 1 and page 333
    page_sql = next(q["sql"] for q in deep if "ORDER BY" in q["sql"] and "seq" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # the plan a large table gets
        cursor.execute("EXPLAIN " + page_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index" in plan, plan
    assert "Sort" not in plan, plan
    assert " OFFSET " not in page_sql.upper()


def test_the_api_pages_older_with_before(agent, ten_thousand):
    client = api_client_for(agent)
    first = client.get("/api/notifications").json()
    second = client.get(f"/api/notifications?before={first['next_before']}").json()
    assert first["results"][-1]["seq"] - 1 == second["results"][0]["seq"]
    assert first["head_seq"] == 10_000
    assert first["unread"] == Notification.objects.filter(read_at__isnull=True).count()


def test_the_profile_switches_each_kind(agent):
    browser = logged_in(agent)
    page = browser.get("/profile/").content.decode()
    assert page.count('name="enabled"') == 5
    assert page.count("checked") >= 5  # every kind is on until switched off
    response = browser.post("/profile/notifications", {"enabled": ["mention", "reply_failed"]})
    assert response.status_code == 302
    assert sorted(NotificationInbox.objects.get(agent=agent).muted_kinds) == [
        "assigned_to_me", "customer_wrote_again", "reply_sent_back"
    ]  # fmt: skip
    page = browser.get("/profile/").content.decode()
    assert 'value="mention" checked' in page
    assert 'value="assigned_to_me" checked' not in page
