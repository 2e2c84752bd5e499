"""Response intervals and their figures, checked against times worked out by hand.

One conversation, two agents, a colleague's note, a resolve, a customer reopening and a reply
sent from the platform's own app (docs/metrics.md).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core.management import call_command

from inbox.metrics import selectors as metrics
from inbox.metrics.filters import parse_filters
from inbox.metrics.intervals import DrillDown, interval_rows
from inbox.metrics.rebuild import intervals_rebuild
from inbox.metrics.sla import at_risk, running_breaches, sla_summary
from inbox.models import Conversation, ResponseInterval, SlaTarget
from inbox.services import conversation_set_status, messages_ingest, note_create, reply_create
from tests.factories import inbound
from tests.inbox.metrics_support import Clock

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def facts(conversation: Conversation) -> list[tuple]:
    return list(
        ResponseInterval.objects.filter(conversation=conversation)
        .order_by("kind", "started_at")
        .values_list("kind", "opening", "started_at", "ended_at", "ended_by", "agent_id",
                     "calendar_seconds")
    )  # fmt: skip


@pytest.fixture
def story(clock, x_account, agent, colleague):
    """Mette answers first, Lars answers the follow-up; resolved; reopened; native reply."""

    def customer(at: datetime, text: str) -> None:
        messages_ingest(account_id=x_account.pk, messages=[inbound(thread="t", body=text, at=at)])

    customer(minutes(0), "Hej, hvor er min årsopgørelse?")
    customer(minutes(10), "Hallo?")
    conversation = Conversation.objects.get()
    clock.at(minutes(12))
    note_create(user=colleague.user, conversation_id=conversation.pk, body="Kigger på det")
    clock.at(minutes(20))
    reply_create(user=agent.user, conversation_id=conversation.pk, body="Den kommer i marts")
    customer(minutes(30), "Og hvad med fradraget?")
    clock.at(minutes(75))
    reply_create(user=colleague.user, conversation_id=conversation.pk, body="Det er med")
    clock.at(minutes(80))
    conversation_set_status(user=agent.user, conversation_id=conversation.pk, status="resolved")
    customer(minutes(120), "Tak, men en ting mere")  # reopens
    messages_ingest(
        account_id=x_account.pk,
        messages=[inbound(thread="t", body="Svar fra appen", at=minutes(125), from_account=True,
                          author="acct", name="Skat")],
    )  # fmt: skip
    clock.at(minutes(130))
    conversation_set_status(user=colleague.user, conversation_id=conversation.pk, status="resolved")
    return conversation


def test_every_wait_is_measured_and_credited_to_whoever_answered(story, agent, colleague):
    m, lars = agent.pk, colleague.pk
    assert facts(story) == [
        ("first_response", 1, minutes(0), minutes(20), "agent", m, 1200.0),
        ("first_response", 2, minutes(120), minutes(125), "native", None, 300.0),
        ("reply", 1, minutes(0), minutes(20), "agent", m, 1200.0),
        ("reply", 1, minutes(30), minutes(75), "agent", lars, 2700.0),
        ("reply", 2, minutes(120), minutes(125), "native", None, 300.0),
        ("resolution", 1, minutes(0), minutes(80), "resolved", m, 4800.0),
        ("resolution", 2, minutes(120), minutes(130), "resolved", lars, 600.0),
    ]


def test_the_rebuild_from_the_event_log_reproduces_live_recording(story):
    live = facts(story)
    ResponseInterval.objects.all().delete()
    assert intervals_rebuild() == 7
    assert facts(story) == live


def period(user: AbstractBaseUser, **extra: str):
    return parse_filters(user.user, {"from": "2026-03-01", "to": "2026-03-07", **extra})


def test_summary_median_p90_mean_and_count(story, manager):
    figures = metrics.summary(period(manager))
    reply = figures["reply"]["current"]
    # 300, 1200, 2700: p90 interpolates 80 % of the way from 1200 to 2700.
    assert (reply.count, reply.median, reply.p90, reply.mean) == (3, 1200, 2400, 1400)
    first = figures["first_response"]["current"]
    assert (first.count, first.median, first.mean) == (2, 750, 750)
    assert figures["resolution"]["current"].median == 2700
    assert figures["reply"]["previous"].count == 0


def test_breakdown_per_agent_counts_native_replies_apart(story, manager, agent, colleague):
    rows = metrics.breakdown(period(manager), "reply", metrics.Dimension.AGENT)
    by_label = {r.label: (r.stats.count, r.stats.median) for r in rows}
    assert by_label == {
        "Mette Jensen": (1, 1200),
        "Lars Holm": (1, 2700),
        "Outside Svar (platform app)": (1, 300),
    }


def test_sla_breaches_and_the_list_behind_them(story, manager, team):
    SlaTarget.objects.create(team=team, kind="first_response", target_seconds=900,
                             business_hours=False)  # fmt: skip
    filters = period(manager)
    [row] = sla_summary(filters)
    assert (row.total, row.breached, row.met_share) == (2, 1, 0.5)
    breaches = interval_rows(filters, DrillDown(kind="first_response", breached=True))
    assert [(b["conversation_id"], b["calendar_seconds"]) for b in breaches] == [(story.pk, 1200)]


def test_series_buckets_by_local_day(story, manager):
    points = metrics.series(period(manager, tz="Europe/Copenhagen"), "reply", metrics.Bucket.DAY)
    assert [(p[0].isoformat(), p[1].count) for p in points] == [("2026-03-02T00:00:00+01:00", 3)]


def test_running_waits_near_their_target_are_flagged(clock, x_account, team, agent):
    SlaTarget.objects.create(team=team, kind="reply", target_seconds=3600, business_hours=False)
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="late", at=minutes(0))])
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="soon", at=minutes(20))])
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="fresh", at=minutes(40))])
    now = minutes(70)
    flagged = at_risk((team.pk,), now=now)
    # 70 min > 60: breached; 50 min ≥ 80 % of 60: at risk; 30 min: not yet.
    assert [(r.elapsed_seconds, r.state, r.due_at) for r in flagged] == [
        (4200, "breached", minutes(60)),
        (3000, "at_risk", minutes(80)),
    ]
    assert running_breaches((team.pk,), now=now) == {(team.pk, "reply"): 1}
    late = Conversation.objects.get(external_thread_id="late")
    clock.at(minutes(71))
    reply_create(user=agent.user, conversation_id=late.pk, body="Undskyld ventetiden")
    assert [r.state for r in at_risk((team.pk,), now=minutes(71))] == ["at_risk"]


def test_heatmap_counts_waits_by_local_hour_of_the_week(story, manager):
    cells = metrics.heatmap(period(manager, tz="Europe/Copenhagen"))
    busy = {(c.weekday, c.hour): (c.waits, c.answered, c.median) for c in cells if c.waits}
    # Waits began Monday 10:00 and 10:30 (answered in 20 and 45 min) and 12:00 (5 min), CET.
    assert busy == {(1, 10): (2, 2, 1950), (1, 12): (1, 1, 300)}
    assert len(cells) == 7 * 24


def test_the_rebuild_command_reports_what_it_wrote(story):
    out = io.StringIO()
    call_command("svar_metrics_rebuild", stdout=out)
    assert out.getvalue().startswith("rebuilt 7 intervals")
