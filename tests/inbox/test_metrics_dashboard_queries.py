"""The dashboard computes this period's headline figures and its SLA table in one pass over the
intervals (inbox.metrics.sla.period_stats_and_sla): it must give exactly what the API's two
queries give (metrics.period_stats, sla_summary), whatever the filters."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from inbox.metrics import selectors as metrics
from inbox.metrics.filters import parse_filters
from inbox.metrics.sla import period_stats_and_sla, sla_summary, with_running
from inbox.models import Conversation, ResponseInterval, SlaTarget
from inbox.permissions.roles import Role
from inbox.services import messages_ingest
from tests.factories import AgentFactory, ChannelAccountFactory, TeamFactory, inbound

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def world(team, x_account, agent):
    """Two teams, intervals of every kind and ending, targets in both clocks (one team has no
    target for resolution)."""
    other = TeamFactory(name="Told")
    other_account = ChannelAccountFactory(team=other, platform="facebook")
    admin = AgentFactory(public_name="Ada", role=Role.ADMIN, teams=[team, other])
    rng = random.Random(6)
    rows = []
    for account in (x_account, other_account):
        messages_ingest(
            account_id=account.pk, messages=[inbound(thread=f"t{account.pk}", at=START)]
        )
        conversation = Conversation.objects.get(account=account)
        ResponseInterval.objects.filter(conversation=conversation).delete()
        for _ in range(400):
            kind = rng.choice(["first_response", "reply", "reply", "resolution"])
            started = START + timedelta(seconds=rng.randint(0, 40 * 86400))
            seconds = rng.expovariate(1 / 3000)
            ended_by = rng.choice(["agent", "agent", "native", "unanswered", ""])
            if kind == "resolution" and ended_by in ("agent", "native"):
                ended_by = "resolved"
            ended = None if ended_by == "" else started + timedelta(seconds=seconds)
            rows.append(
                ResponseInterval(
                    conversation=conversation, team_id=account.team_id, account=account,
                    platform=account.platform, kind=kind, started_at=started, ended_at=ended,
                    ended_by=ended_by, agent=agent if ended_by == "agent" else None,
                    calendar_seconds=None if ended is None else seconds,
                    business_seconds=None if ended is None else seconds * rng.random(),
                )
            )  # fmt: skip
    ResponseInterval.objects.bulk_create(rows)
    for team_id, kind, seconds, business in (
        (team.pk, "first_response", 1800, True), (team.pk, "reply", 3600, False),
        (team.pk, "resolution", 86400, False), (other.pk, "reply", 2400, True),
        (other.pk, "first_response", 600, False),
    ):  # fmt: skip
        SlaTarget.objects.create(
            team_id=team_id, kind=kind, target_seconds=seconds, business_hours=business
        )
    return admin


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"clock": "business"},
        {"platform": "facebook"},
        {"agent": "AGENT"},
        {"from": "2026-03-20", "to": "2026-03-30", "tz": "America/New_York"},
    ],
)
def test_one_pass_gives_the_headline_and_sla_figures_of_the_two_queries(world, agent, query):
    params = {"from": "2026-03-01", "to": "2026-04-15", **query}
    if params.get("agent") == "AGENT":
        params["agent"] = str(agent.pk)
    filters = parse_filters(world.user, params)
    stats, sla = period_stats_and_sla(filters)
    expected = metrics.period_stats(filters)
    assert stats.keys() == expected.keys()
    for kind, figures in expected.items():
        got = stats[kind]
        assert (got.count, got.median, got.p90) == (figures.count, figures.median, figures.p90)
        assert got.mean == pytest.approx(figures.mean)
    assert any(s.count for s in stats.values())
    running = {(r.team_id, r.kind): r.running_breached for r in sla_summary(filters)}
    assert with_running(sla, running) == sla_summary(filters)
    assert any(r.breached for r in sla)
    assert any(r.total > r.breached for r in sla)
