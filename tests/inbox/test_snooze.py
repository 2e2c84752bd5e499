"""Snooze (issue #17): out of the open views until a time or until the customer writes again,
back with a live event, and the response-time clock untouched (docs/metrics.md, "Snooze")."""

from __future__ import annotations

from datetime import timedelta

import django_rq
import pytest
from django.utils import timezone

from inbox.metrics.rebuild import intervals_rebuild
from inbox.models import Conversation, ResponseInterval
from inbox.selectors.conversations import ConversationFilters, conversation_list
from inbox.services import conversation_set_status, messages_ingest, reply_create
from inbox.services.snooze import conversation_snooze, snooze_wake_due
from tests.conftest import api_client_for
from tests.factories import inbound

pytestmark = pytest.mark.django_db


def snooze(client, conversation, until):
    return client.post(
        f"/api/conversations/{conversation.pk}/snooze",
        {"until": until.isoformat() if until else None},
        format="json",
    )


def open_view(user):
    page = conversation_list(user=user, filters=ConversationFilters(status=["open"]))
    return [row.pk for row in page.items]


def running_waits(conversation):
    """The customer's running waits (a resolution interval runs too, until resolved)."""
    return ResponseInterval.objects.filter(
        conversation=conversation, ended_at__isnull=True, kind__in=["first_response", "reply"]
    ).order_by("pk")


def test_a_snoozed_conversation_leaves_the_open_view_and_wakes_at_its_time(
    api, agent, conversation, published
):
    response = snooze(api, conversation, timezone.now() + timedelta(hours=2))

    assert response.status_code == 200
    assert response.json()["status"] == "snoozed"
    assert open_view(agent.user) == []
    assert snooze_wake_due() == 0  # not yet

    published.clear()
    assert snooze_wake_due(now=timezone.now() + timedelta(hours=2, seconds=1)) == 1

    conversation.refresh_from_db()
    assert (conversation.status, conversation.snoozed_until) == ("open", None)
    assert open_view(agent.user) == [conversation.pk]
    [event] = published
    assert event["kind"] == "conversation.status_changed"
    assert event["previous_status"] == "snoozed"
    assert event["conversation"]["status"] == "open"


def test_snoozing_schedules_the_wake_up_in_rq(api, conversation, published, clean_queues):
    until = timezone.now() + timedelta(minutes=30)
    snooze(api, conversation, until)

    registry = django_rq.get_queue("default").scheduled_job_registry
    assert registry.get_job_ids() == [f"snooze-wake-{int(until.timestamp())}"]


def test_until_the_customer_writes_wakes_on_the_next_customer_message(
    api, agent, x_account, conversation, published
):
    assert snooze(api, conversation, None).status_code == 200
    assert snooze_wake_due(now=timezone.now() + timedelta(days=400)) == 0  # no time: sleeps on

    published.clear()
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="t1", body="Hallo?")])

    conversation.refresh_from_db()
    assert (conversation.status, conversation.snoozed_until) == ("open", None)
    assert open_view(agent.user) == [conversation.pk]
    [event] = published
    assert event["kind"] == "messages.received"
    assert event["conversation"]["status"] == "open"


def test_a_timed_snooze_also_wakes_when_the_customer_writes_first(api, x_account, conversation):
    snooze(api, conversation, timezone.now() + timedelta(days=3))
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="t1")])
    conversation.refresh_from_db()
    assert (conversation.status, conversation.snoozed_until) == ("open", None)


def test_a_reply_from_the_platforms_own_app_does_not_wake_it(api, x_account, conversation):
    snooze(api, conversation, None)
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="t1", from_account=True)])
    conversation.refresh_from_db()
    assert conversation.status == "snoozed"


@pytest.mark.parametrize("delta", [timedelta(seconds=-1), timedelta(0), timedelta(days=-30)])
def test_a_snooze_in_the_past_is_refused_clearly(api, conversation, delta):
    response = snooze(api, conversation, timezone.now() + delta)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["details"]["field"] == "until"
    assert "future" in error["message"]
    conversation.refresh_from_db()
    assert conversation.status == "open"


def test_a_resolved_conversation_cannot_be_snoozed(api, agent, conversation):
    conversation_set_status(user=agent.user, conversation_id=conversation.pk, status="resolved")
    response = snooze(api, conversation, None)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


def test_status_cannot_be_set_to_snoozed_without_an_end(api, conversation):
    response = api.post(
        f"/api/conversations/{conversation.pk}/status", {"status": "snoozed"}, format="json"
    )
    assert response.status_code == 409


def test_reopening_by_hand_ends_the_snooze(api, agent, conversation):
    snooze(api, conversation, timezone.now() + timedelta(hours=1))
    conversation_set_status(user=agent.user, conversation_id=conversation.pk, status="open")
    conversation.refresh_from_db()
    assert (conversation.status, conversation.snoozed_until) == ("open", None)


def test_an_agent_of_another_team_cannot_snooze(outsider, conversation):
    response = snooze(api_client_for(outsider), conversation, None)
    assert response.status_code == 404


# --- how a snooze counts in the metrics (docs/metrics.md, "Snooze") -------------------------


def test_a_customer_wait_keeps_running_through_a_snooze(agent, x_account, conversation):
    waiting_since = conversation.waiting_since
    waits = list(running_waits(conversation))  # the first response, also a reply wait
    assert waits

    conversation_snooze(user=agent.user, conversation_id=conversation.pk, until=None)
    conversation.refresh_from_db()
    assert conversation.waiting_since == waiting_since
    assert list(running_waits(conversation)) == waits

    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="t1")])  # wakes
    conversation.refresh_from_db()
    assert conversation.waiting_since == waiting_since  # the same wait, not a new one
    assert list(running_waits(conversation)) == waits


def test_a_snooze_after_replying_starts_no_wait(agent, conversation):
    reply_create(user=agent.user, conversation_id=conversation.pk, body="Vi vender tilbage.")
    assert not running_waits(conversation).exists()

    until = timezone.now() + timedelta(hours=1)
    conversation_snooze(user=agent.user, conversation_id=conversation.pk, until=until)
    snooze_wake_due(now=until + timedelta(seconds=1))

    conversation.refresh_from_db()
    assert conversation.status == "open"
    assert conversation.waiting_since is None
    assert not running_waits(conversation).exists()


def test_the_rebuild_from_the_log_reads_snoozes_as_live_recording_did(
    agent, x_account, conversation, published
):
    conversation_snooze(user=agent.user, conversation_id=conversation.pk, until=None)
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="t1")])
    reply_create(user=agent.user, conversation_id=conversation.pk, body="Svar")

    def facts():
        return sorted(
            ResponseInterval.objects.filter(conversation=conversation).values_list(
                "kind", "started_at", "ended_at", "ended_by"
            )
        )

    live = facts()
    intervals_rebuild(team_id=conversation.team_id)
    assert facts() == live
    assert Conversation.objects.get(pk=conversation.pk).status == "open"
