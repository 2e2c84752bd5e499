"""The metrics API and dashboard: managers only, their own teams only, JSON errors on bad
filters, every response in its documented shape, CSV for every table."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openapi_schema_validator import OAS31Validator
from referencing import Registry, Resource

from inbox.metrics.jobs import business_hours_recompute
from inbox.models import AuditEntry, BusinessSchedule, Conversation, SlaTarget
from inbox.permissions.roles import Role
from inbox.services import conversation_set_status, messages_ingest, reply_create
from tests.conftest import api_client_for
from tests.factories import AgentFactory, ChannelAccountFactory, inbound

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "summary": "SummaryResponse",
    "breakdown?by=agent": "BreakdownResponse",
    "breakdown?by=tag&kind=reply": "BreakdownResponse",
    "series?bucket=hour": "SeriesResponse",
    "distribution?kind=resolution": "DistributionResponse",
    "heatmap": "HeatmapResponse",
    "sla": "SlaResponse",
    "sla/at-risk": "AtRiskResponse",
    "intervals?kind=reply&by=agent&key=none": "IntervalsResponse",
}


@pytest.fixture
def answered(x_account, agent):
    """One conversation: the customer waited 10 minutes for Mette, then it was resolved."""
    start = timezone.now() - timedelta(hours=1)
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="a", at=start)])
    conversation = Conversation.objects.get()
    conversation.tags.create(name="skat")
    reply_create(user=agent.user, conversation_id=conversation.pk, body="Svar")
    conversation_set_status(user=agent.user, conversation_id=conversation.pk, status="resolved")
    return conversation


def test_agents_may_not_read_metrics(api, answered):
    response = api.get("/api/metrics/summary")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_a_manager_of_another_team_sees_nothing_of_this_team(answered, team, other_team):
    outsider = AgentFactory(teams=[other_team], role=Role.MANAGER)
    client = api_client_for(outsider)
    assert client.get(f"/api/metrics/summary?team={team.pk}").status_code == 404
    mine = client.get("/api/metrics/summary").json()
    assert mine["first_response"]["current"]["count"] == 0
    rows = client.get("/api/metrics/intervals?kind=first_response").json()["results"]
    assert rows == []


def test_a_manager_sees_the_team_figures(manager, answered, agent):
    client = api_client_for(manager)
    body = client.get("/api/metrics/summary").json()
    assert body["first_response"]["current"]["count"] == 1
    assert 590 <= body["first_response"]["current"]["median"] <= 3700
    rows = client.get("/api/metrics/breakdown?by=agent&kind=reply").json()["rows"]
    assert [(r["key"], r["count"]) for r in rows] == [(agent.pk, 1)]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("summary?from=yesterday", "from"),
        ("summary?from=2026-02-01&to=2026-01-01", "from"),
        ("summary?platform=myspace", "platform"),
        ("summary?clock=sundial", "clock"),
        ("summary?tz=Mars/Olympus", "tz"),
        ("breakdown?by=mood", "by"),
        ("series?bucket=fortnight", "bucket"),
        ("breakdown?kind=lunch", "kind"),
        ("intervals?weekday=9&hour=1", "weekday"),
        ("summary?agent=mette", "agent"),
    ],
)
def test_bad_filters_answer_400_in_the_api_error_shape(manager, query, field):
    response = api_client_for(manager).get(f"/api/metrics/{query}")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == field


def test_every_response_matches_the_published_schema(manager, answered, team):
    SlaTarget.objects.create(team=team, kind="reply", target_seconds=60)
    client = api_client_for(manager)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    registry = Registry().with_resource("urn:svar", Resource.opaque(schema))
    for path, component in ENDPOINTS.items():
        response = client.get(f"/api/metrics/{path}")
        assert response.status_code == 200, path
        validator = OAS31Validator(
            {"$ref": f"urn:svar#/components/schemas/{component}"}, registry=registry
        )
        validator.validate(response.json())


def test_setting_a_schedule_recomputes_business_time(manager, answered, team):
    client = api_client_for(manager)
    before = client.get("/api/metrics/summary?clock=business").json()
    assert before["reply"]["current"]["count"] == 1
    closed_all_week = {"time_zone": "Europe/Copenhagen", "weekly": {}, "holidays": []}
    response = client.put(f"/api/metrics/teams/{team.pk}/schedule", closed_all_week, "json")
    assert response.status_code == 200
    assert response.json()["recomputing"] is True
    business_hours_recompute(team.pk, BusinessSchedule.objects.get(team=team).revision)  # the job
    after = client.get("/api/metrics/summary?clock=business").json()
    assert after["recomputing"] is False
    assert after["reply"]["current"]["median"] == 0
    assert after["reply"]["current"]["count"] == 1


def test_a_manager_may_not_configure_another_team(manager, other_team):
    client = api_client_for(manager)
    body = {"kind": "reply", "target_seconds": 600}
    assert client.put(f"/api/metrics/teams/{other_team.pk}/sla", body, "json").status_code == 404


def logged_in(user) -> Client:
    user.refresh_from_db()  # the factory's password is not saved: sign in as stored
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def browser_session(manager) -> Client:
    return logged_in(manager.user)


def test_the_dashboard_shows_figures_charts_and_links(browser_session, answered):
    response = browser_session.get("/metrics/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg") == 3
    assert "/metrics/intervals?" in html
    assert "Mette Jensen" in html
    assert "cdn" not in html.lower()


def test_agents_get_403_on_the_dashboard(agent, answered):
    assert logged_in(agent.user).get("/metrics/").status_code == 403


@pytest.mark.parametrize(
    "table", ["agents", "channels", "platforms", "teams", "tags", "series", "distribution",
              "heatmap", "sla", "intervals"],
)  # fmt: skip
def test_every_table_exports_as_csv(browser_session, answered, team, table):
    SlaTarget.objects.create(team=team, kind="reply", target_seconds=60)
    response = browser_session.get(f"/metrics/export/{table}.csv?kind=reply")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) >= 2, rows
    # Who exported what is in the audit log, with the number of data rows.
    entry = AuditEntry.objects.get(action="export")
    assert entry.object_id.startswith(f"svar-{table}-reply-")
    assert entry.details["rows"] == len(rows) - 1


def test_channel_filter_keeps_other_channels_out(manager, answered, team):
    other = ChannelAccountFactory(team=team, display_name="@told")
    client = api_client_for(manager)
    body = client.get(f"/api/metrics/summary?account={other.pk}").json()
    assert body["reply"]["current"]["count"] == 0
