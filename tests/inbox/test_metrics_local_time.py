"""Local time without a time-zone conversion per row: the heatmap places each wait by its UTC
epoch plus the zone's offset at that instant (inbox.metrics.selectors.local_epoch_sql).
Checked against zoneinfo across daylight-saving changes, in whole-hour, half-hour and
45-minute zones."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from inbox.metrics import selectors as metrics
from inbox.metrics.filters import parse_filters
from inbox.models import Conversation, ResponseInterval
from inbox.permissions.roles import Role
from inbox.services import messages_ingest
from tests.factories import AgentFactory, inbound

# Copenhagen (+1/+2), Lord Howe (+10:30/+11: a 30-minute change), Chatham (+12:45/+13:45),
# Kolkata (+5:30, no changes), New York (-5/-4).
ZONES = ("Europe/Copenhagen", "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Kolkata",
         "America/New_York")  # fmt: skip


@pytest.mark.parametrize("name", ZONES)
def test_offsets_follow_zoneinfo_through_a_year(name):
    zone = ZoneInfo(name)
    start = datetime(2026, 1, 1, 0, 3, 7, tzinfo=zone)
    end = datetime(2027, 1, 3, tzinfo=zone)
    spans = metrics.utc_offsets(zone, start, end)
    assert spans[-1][0] == end
    assert [u for u, _ in spans] == sorted(u for u, _ in spans)
    at = start.astimezone(UTC)
    while at < end:  # every 7 minutes and 13 seconds, and one second either side of changes
        expected = at.astimezone(zone).utcoffset().total_seconds()
        assert next(s for u, s in spans if at < u) == expected, at
        at += timedelta(minutes=7, seconds=13)
    for until, _ in spans[:-1]:
        for at in (until - timedelta(seconds=1), until):
            expected = at.astimezone(zone).utcoffset().total_seconds()
            assert next(s for u, s in spans if at < u) == expected, at


def test_a_period_without_changes_is_one_span():
    zone = ZoneInfo("Asia/Kolkata")
    start, end = datetime(2026, 3, 1, tzinfo=zone), datetime(2026, 4, 1, tzinfo=zone)
    assert metrics.utc_offsets(zone, start, end) == [(end, 19800)]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Europe/Copenhagen", "Australia/Lord_Howe", "Pacific/Chatham"])
def test_heatmap_places_waits_by_local_hour_across_dst_changes(name, team, x_account):
    manager = AgentFactory(public_name="Maja", teams=[team], role=Role.MANAGER)
    messages_ingest(
        account_id=x_account.pk,
        messages=[inbound(thread="t", at=datetime(2026, 3, 1, tzinfo=UTC))],
    )
    conversation = Conversation.objects.get()
    ResponseInterval.objects.filter(conversation=conversation).delete()
    zone = ZoneInfo(name)
    # Waits every 37 minutes through both of the year's changes (north: March and October;
    # south: April and September/October), around local midnights and the hours that repeat.
    starts: list[datetime] = []
    for first, last in (((2026, 3, 26), (2026, 4, 9)), ((2026, 9, 24), (2026, 10, 29))):
        at = datetime(*first, tzinfo=UTC)
        while at < datetime(*last, tzinfo=UTC):
            starts.append(at)
            at += timedelta(minutes=37)
    rows = []
    expected: dict[tuple[int, int], list[float]] = defaultdict(list)
    for i, started in enumerate(starts):
        answered = i % 3 != 0
        seconds = float(60 + (i * 97) % 5000)
        rows.append(
            ResponseInterval(
                conversation=conversation, team=team, account=x_account, platform="x",
                kind="reply", started_at=started,
                ended_at=started + timedelta(seconds=seconds) if answered else None,
                ended_by="agent" if answered else "",
                calendar_seconds=seconds if answered else None,
            )
        )  # fmt: skip
        local = started.astimezone(zone)
        expected[(local.isoweekday(), local.hour)].append(seconds if answered else None)
    ResponseInterval.objects.bulk_create(rows)

    filters = parse_filters(
        manager.user, {"from": "2026-03-20", "to": "2026-11-05", "tz": name, "team": str(team.pk)}
    )
    cells = {(c.weekday, c.hour): c for c in metrics.heatmap(filters)}
    assert len(cells) == 7 * 24
    for key, cell in cells.items():
        values = expected.get(key, [])
        done = [v for v in values if v is not None]
        assert (cell.waits, cell.answered) == (len(values), len(done)), key
        assert cell.median == (statistics.median(done) if done else None), key


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Europe/Copenhagen", "Australia/Lord_Howe", "America/New_York"])
@pytest.mark.parametrize("bucket", list(metrics.Bucket))
def test_series_buckets_by_local_hour_day_and_week_across_dst_changes(
    name, bucket, team, x_account
):
    manager = AgentFactory(public_name="Maja", teams=[team], role=Role.MANAGER)
    messages_ingest(
        account_id=x_account.pk,
        messages=[inbound(thread="t", at=datetime(2026, 3, 1, tzinfo=UTC))],
    )
    conversation = Conversation.objects.get()
    ResponseInterval.objects.filter(conversation=conversation).delete()
    zone = ZoneInfo(name)
    rows = []
    expected: dict[datetime, list[float]] = defaultdict(list)
    at, i = datetime(2026, 3, 25, 0, 0, 1, tzinfo=UTC), 0
    while at < datetime(2026, 4, 10, tzinfo=UTC):
        seconds = float(30 + (i * 89) % 4000) + 0.25
        started = at - timedelta(seconds=seconds)
        rows.append(
            ResponseInterval(
                conversation=conversation, team=team, account=x_account, platform="x",
                kind="reply", started_at=started, ended_at=at, ended_by="agent",
                calendar_seconds=seconds,
            )
        )  # fmt: skip
        local = at.astimezone(zone).replace(tzinfo=None)
        if bucket == metrics.Bucket.HOUR:
            start = local.replace(minute=0, second=0, microsecond=0)
        else:
            start = local.replace(hour=0, minute=0, second=0, microsecond=0)
            if bucket == metrics.Bucket.WEEK:
                start -= timedelta(days=start.weekday())
        expected[start].append(seconds)
        at += timedelta(minutes=23, seconds=7)
        i += 1
    ResponseInterval.objects.bulk_create(rows)
    filters = parse_filters(
        manager.user, {"from": "2026-03-20", "to": "2026-04-15", "tz": name, "team": str(team.pk)}
    )
    got = metrics.series(filters, "reply", bucket)
    assert [at.replace(tzinfo=None) for at, _ in got] == sorted(expected)
    for at, stats in got:
        assert at.tzinfo == zone
        values = expected[at.replace(tzinfo=None)]
        assert stats.count == len(values), at
        assert stats.median == pytest.approx(statistics.median(values)), at
