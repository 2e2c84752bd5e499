"""Business time, worked out by hand: a weekend and a holiday, two intervals a day, both DST
changes of Europe/Copenhagen, and the recompute when a team's schedule changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inbox.exceptions import InvalidInput
from inbox.metrics.business_hours import (
    BusinessTimeline,
    business_deadline,
    business_seconds,
    parse_schedule,
)
from inbox.metrics.jobs import business_hours_recompute
from inbox.metrics.services import business_schedule_set
from inbox.models import Conversation, ResponseInterval
from inbox.permissions.roles import Role
from inbox.services import messages_ingest, reply_create
from tests.factories import AgentFactory, inbound
from tests.inbox.metrics_support import Clock

CPH = ZoneInfo("Europe/Copenhagen")
HOUR = 3600.0
WEEKDAYS_SPLIT = {str(d): [["09:00", "12:00"], ["13:00", "17:00"]] for d in range(1, 6)}


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=CPH)


def elapsed(start: datetime, end: datetime) -> float:
    """Real seconds between two local times (same-zone subtraction ignores DST)."""
    return (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds()


def office(holidays: tuple[str, ...] = ()):
    return parse_schedule(time_zone="Europe/Copenhagen", weekly=WEEKDAYS_SPLIT, holidays=holidays)


def test_a_wait_over_a_weekend_and_a_holiday_counts_only_open_hours():
    # Friday 3 April 2026 16:00 → Tuesday 7 April 10:00; Monday 6 April (2nd Easter day) closed.
    schedule = office(holidays=("2026-04-06",))
    start, end = local(2026, 4, 3, 16), local(2026, 4, 7, 10)
    assert elapsed(start, end) == (4 * 24 - 6) * HOUR
    # Friday 16–17, Tuesday 9–10.
    assert business_seconds(schedule, start, end) == 2 * HOUR
    # Without the holiday, Monday's 7 hours count.
    assert business_seconds(office(), start, end) == 9 * HOUR


def test_the_lunch_break_between_two_intervals_does_not_count():
    schedule = office()
    assert business_seconds(schedule, local(2026, 4, 8, 11, 30), local(2026, 4, 8, 13, 15)) == (
        45 * 60
    )


def test_spring_forward_day_has_one_hour_less():
    # Sunday 29 March 2026, 02:00 → 03:00. Open all Sunday: 23 real hours that day.
    schedule = parse_schedule(time_zone="Europe/Copenhagen", weekly={"7": [["00:00", "24:00"]]},
                              holidays=[])  # fmt: skip
    start, end = local(2026, 3, 28, 23), local(2026, 3, 29, 12)
    assert elapsed(start, end) == 12 * HOUR
    assert business_seconds(schedule, start, end) == 11 * HOUR
    assert business_seconds(schedule, local(2026, 3, 28, 12), local(2026, 3, 30, 12)) == 23 * HOUR


def test_fall_back_night_has_one_hour_more():
    # Sunday 25 October 2026, 03:00 → 02:00. Open 00:00–06:00: seven real hours.
    schedule = parse_schedule(time_zone="Europe/Copenhagen", weekly={"7": [["00:00", "06:00"]]},
                              holidays=[])  # fmt: skip
    start, end = local(2026, 10, 24, 23), local(2026, 10, 25, 12)
    assert elapsed(start, end) == 14 * HOUR
    assert business_seconds(schedule, start, end) == 7 * HOUR


def test_deadline_in_business_time_skips_closed_hours():
    schedule = office(holidays=("2026-04-06",))
    # Two business hours from Friday 16:00: Friday 16–17 and Tuesday 9–10.
    assert business_deadline(schedule, local(2026, 4, 3, 16), 2 * HOUR) == local(2026, 4, 7, 10)


@pytest.mark.parametrize(
    ("weekly", "holidays", "field"),
    [
        ({"8": [["09:00", "17:00"]]}, [], "weekly"),
        ({"1": [["17:00", "09:00"]]}, [], "weekly"),
        ({"1": [["09:00", "12:00"], ["11:00", "13:00"]]}, [], "weekly"),
        ({"1": [["9am", "5pm"]]}, [], "weekly"),
        ({}, ["Easter"], "holidays"),
    ],
)
def test_bad_schedules_are_refused_with_the_field_named(weekly, holidays, field):
    with pytest.raises(InvalidInput) as error:
        parse_schedule(time_zone="Europe/Copenhagen", weekly=weekly, holidays=holidays)
    assert error.value.details["field"] == field


@pytest.mark.django_db
def test_changing_the_schedule_recomputes_business_time(monkeypatch, team, x_account, agent):
    manager = AgentFactory(teams=[team], role=Role.MANAGER)
    clock = Clock(monkeypatch)
    asked = local(2026, 4, 3, 16)
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="e", at=asked)])
    conversation = Conversation.objects.get()
    clock.at(local(2026, 4, 7, 10))
    reply_create(user=agent.user, conversation_id=conversation.pk, body="Godt spørgsmål")

    def business() -> list[float]:
        return sorted(
            ResponseInterval.objects.filter(ended_at__isnull=False, kind="reply").values_list(
                "business_seconds", flat=True
            )
        )

    # No schedule yet: open around the clock, business time equals calendar time.
    assert business() == [90 * HOUR]
    schedule = business_schedule_set(user=manager.user, team_id=team.pk,
        time_zone="Europe/Copenhagen", weekly=WEEKDAYS_SPLIT, holidays=["2026-04-06"])  # fmt: skip
    business_hours_recompute(team.pk, schedule.revision)  # the job the change queues
    assert business() == [2 * HOUR]
    schedule = business_schedule_set(user=manager.user, team_id=team.pk,
        time_zone="Europe/Copenhagen", weekly=WEEKDAYS_SPLIT)  # fmt: skip
    business_hours_recompute(team.pk, schedule.revision)
    assert business() == [9 * HOUR]
    # New intervals are measured under the schedule in force.
    messages_ingest(
        account_id=x_account.pk,
        messages=[inbound(thread="e", at=local(2026, 4, 8, 11, 30))],
    )
    clock.at(local(2026, 4, 8, 13, 15) + timedelta(0))
    reply_create(user=agent.user, conversation_id=conversation.pk, body="Mere")
    assert business() == [45 * 60, 9 * HOUR]


instants = st.integers(0, 60 * 24 * 3600).map(lambda s: local(2026, 3, 1) + timedelta(seconds=s))


@settings(max_examples=300, deadline=None)
@given(a=instants, b=instants, seconds=st.integers(1, 20 * 3600))
def test_the_timeline_agrees_with_the_direct_computation(a, b, seconds):
    """BusinessTimeline answers by binary search what business_seconds computes day by day."""
    start, end = min(a, b), max(a, b)
    schedule = office(holidays=("2026-04-06",))
    timeline = BusinessTimeline(schedule, local(2026, 3, 1), local(2026, 5, 1))
    assert timeline.seconds(start, end) == pytest.approx(business_seconds(schedule, start, end))
    assert timeline.deadline(start, seconds) == business_deadline(schedule, start, seconds)
    latest = timeline.latest_start(end, seconds)
    if latest is not None:
        assert business_seconds(schedule, latest, end) == pytest.approx(seconds)
        later = latest + timedelta(seconds=1)
        assert later > end or business_seconds(schedule, later, end) < seconds
