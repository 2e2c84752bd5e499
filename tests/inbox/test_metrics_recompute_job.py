"""A change of business hours is recomputed in an RQ job, not in the request that made it.

The request answers at once with the intervals untouched and the team marked as recomputing
(the API says so, the dashboard shows a notice); a real RQ worker then recomputes and clears
the mark. A second change while a recompute runs ends with the newest schedule's figures; a job
that fails is retried, and one lost for good is queued again once its mark has gone stale.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import django_rq
import pytest
from django.test import Client
from django.utils import timezone
from rq import SimpleWorker
from rq.queue import Queue

from inbox.metrics import jobs
from inbox.metrics.services import business_schedule_set
from inbox.models import BusinessSchedule, Conversation, ResponseInterval
from inbox.permissions.roles import Role
from inbox.services import messages_ingest, reply_create
from tests.conftest import api_client_for
from tests.factories import AgentFactory, inbound

pytestmark = pytest.mark.django_db(transaction=True)  # the job is queued once the change commits

CLOSED = {"time_zone": "Europe/Copenhagen", "weekly": {}, "holidays": []}
OPEN = {"time_zone": "Europe/Copenhagen", "weekly": {str(d): [["00:00", "24:00"]] for d in
        range(1, 8)}, "holidays": []}  # fmt: skip
NOTICE = "Business-hours figures are being recomputed"


@pytest.fixture
def queue() -> Iterator[Queue]:
    """The real "default" queue on this run's Redis, emptied before and after."""
    queue = django_rq.get_queue(jobs.QUEUE)
    queue.empty()
    yield queue
    queue.empty()


class BurstWorker(SimpleWorker):
    """RQ's worker running jobs in its own process (so on this test's database), without the
    command channel: its listener thread takes a minute to stop when the burst ends."""

    def subscribe(self) -> None:
        pass


def work(queue: Queue) -> None:
    """A real RQ worker, until the queue is empty."""
    BurstWorker([queue], connection=queue.connection).work(burst=True)


@pytest.fixture
def manager(team: Any) -> Any:
    return AgentFactory(public_name="Maja Manager", teams=[team], role=Role.MANAGER)


@pytest.fixture
def answered(x_account: Any, agent: Any) -> Conversation:
    """A customer waited an hour for a reply (no schedule yet: business time is that hour)."""
    start = timezone.now() - timedelta(hours=1)
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="a", at=start)])
    conversation = Conversation.objects.get()
    reply_create(user=agent.user, conversation_id=conversation.pk, body="Svar")
    return conversation


def business_seconds() -> list[float]:
    closed = ResponseInterval.objects.filter(ended_at__isnull=False).order_by("pk")
    return list(closed.values_list("business_seconds", flat=True))


def calendar_seconds() -> list[float]:
    closed = ResponseInterval.objects.filter(ended_at__isnull=False).order_by("pk")
    return list(closed.values_list("calendar_seconds", flat=True))


def dashboard(manager: Any) -> str:
    manager.user.refresh_from_db()
    client = Client()
    client.force_login(manager.user)
    response = client.get("/metrics/?clock=business")
    assert response.status_code == 200
    return response.content.decode()


def test_the_request_marks_the_team_and_the_job_recomputes(queue, manager, team, answered):
    hour = calendar_seconds()
    assert business_seconds() == hour
    assert all(s > 3000 for s in hour)
    api = api_client_for(manager)
    response = api.put(f"/api/metrics/teams/{team.pk}/schedule", CLOSED, "json")
    assert response.status_code == 200
    assert response.json()["recomputing"] is True
    # Nothing recomputed yet: the request only marked the team and queued the job.
    assert business_seconds() == hour
    assert api.get("/api/metrics/summary?clock=business").json()["recomputing"] is True
    assert api.get(f"/api/metrics/teams/{team.pk}/schedule").json()["recomputing"] is True
    assert NOTICE in dashboard(manager)
    assert queue.count == 1

    work(queue)
    assert business_seconds() == [0.0] * len(hour)  # closed all week: no business time
    assert BusinessSchedule.objects.get(team=team).recomputing_since is None
    summary = api.get("/api/metrics/summary?clock=business").json()
    assert summary["recomputing"] is False
    assert summary["reply"]["current"]["median"] == 0
    assert NOTICE not in dashboard(manager)


def test_the_notice_is_in_danish_for_a_danish_agent(queue, manager, team, answered):
    manager.language = "da"
    manager.save(update_fields=["language"])
    business_schedule_set(user=manager.user, team_id=team.pk, **CLOSED)
    assert "Tal i åbningstid genberegnes" in dashboard(manager)


def test_a_change_during_a_recompute_ends_with_the_newest_schedule(
    queue, monkeypatch, manager, team, answered
):
    hour = calendar_seconds()
    real = jobs.business_seconds_recompute
    changed: list[int] = []

    def then_another_change(*, team_id: int) -> int:
        updated = real(team_id=team_id)  # recomputed under "closed"…
        if not changed:  # …and meanwhile a manager opens around the clock
            changed.append(business_schedule_set(user=manager.user, team_id=team_id, **OPEN).pk)
            assert queue.count == 1
        return updated

    monkeypatch.setattr(jobs, "business_seconds_recompute", then_another_change)
    business_schedule_set(user=manager.user, team_id=team.pk, **CLOSED)
    work(queue)
    assert changed
    assert business_seconds() == hour  # the newest schedule's figures: open all week
    schedule = BusinessSchedule.objects.get(team=team)
    assert (schedule.revision, schedule.recomputing_since) == (2, None)


def test_a_job_that_fails_is_retried(queue, monkeypatch, manager, team, answered):
    real = jobs.business_seconds_recompute
    attempts: list[int] = []

    def dies_once(*, team_id: int) -> int:
        attempts.append(team_id)
        if len(attempts) == 1:
            raise ConnectionError("the database went away")
        return real(team_id=team_id)

    monkeypatch.setattr(jobs, "business_seconds_recompute", dies_once)
    business_schedule_set(user=manager.user, team_id=team.pk, **CLOSED)
    work(queue)
    assert len(attempts) == 2
    assert business_seconds() == [0.0] * len(calendar_seconds())
    assert BusinessSchedule.objects.get(team=team).recomputing_since is None


def test_a_lost_job_is_queued_again_once_its_mark_is_stale(queue, manager, team, answered):
    business_schedule_set(user=manager.user, team_id=team.pk, **CLOSED)
    queue.empty()  # the job is lost (Redis flushed, retries spent)
    assert jobs.business_hours_recompute_resume() == 0  # not stale yet: it may still come
    later = timezone.now() + jobs.STALE_AFTER + timedelta(seconds=1)
    assert jobs.business_hours_recompute_resume(now=later) == 1
    assert jobs.business_hours_recompute_resume(now=later) == 0  # queued once, not per pass
    work(queue)
    assert business_seconds() == [0.0] * len(calendar_seconds())
    assert BusinessSchedule.objects.get(team=team).recomputing_since is None


def test_the_api_schema_documents_recomputing(manager):
    schema = (
        api_client_for(manager)
        .get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        .json()["components"]["schemas"]
    )
    figures = ("Summary", "Breakdown", "Series", "Heatmap", "Distribution", "Sla", "Intervals")
    for shape in (*(f"{f}Response" for f in figures), "ScheduleResponse"):
        assert "recomputing" in schema[shape]["properties"], shape
