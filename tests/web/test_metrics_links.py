"""The dashboard's links quote the filters once (web.metrics.views.Links): each link must be
exactly what urlencode of the filters and the figure's own parameters gives."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.urls import reverse

from inbox.metrics.filters import Clock, MetricFilters
from web.metrics.links import Links

ZONE = ZoneInfo("America/New_York")


def test_links_equal_urlencode_of_filters_and_extras():
    filters = MetricFilters(
        start=datetime(2026, 3, 1, tzinfo=ZONE), end=datetime(2026, 3, 29, tzinfo=ZONE),
        team_ids=(3,), time_zone="America/New_York", agent_id=7, platform="x",
        clock=Clock.BUSINESS,
    )  # fmt: skip
    links = Links(filters, "reply", "day")
    base = {**filters.as_query(), "kind": "reply", "bucket": "day"}
    cases = [
        ("metrics-intervals", (), {}),
        ("metrics-intervals", (), {"kind": "first_response", "weekday": 1, "hour": 0}),
        ("metrics-intervals", (), {"by": "tag", "key": "æ ø/å & =?+%", "min_seconds": 0.5}),
        ("metrics-intervals", (), {"max_seconds": None, "from": "2026-03-02", "to": None}),
        ("metrics-export", ("agents",), {"breached": 1, "team": 3}),
    ]
    for name, args, extra in cases:
        expected = {**base, **{k: v for k, v in extra.items() if v is not None}}
        assert links.to(name, args=args, **extra) == (
            f"{reverse(name, args=args)}?{urlencode(expected)}"
        )
    assert links.export("sla") == f"{reverse('metrics-export', args=('sla',))}?{urlencode(base)}"
