"""The inbox list flags conversations about to breach an SLA target (issue #6): from 80 % of
the target the row says when it is due, past the target that it breached, computed for the
whole page at once."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inbox.metrics.sla import AT_RISK_SHARE, sla_clocks
from inbox.models import BusinessSchedule, Conversation, SlaTarget
from inbox.services import messages_ingest, reply_create
from tests.factories import ChannelAccountFactory, inbound

pytestmark = pytest.mark.django_db

HOUR = 3600


def _ask(account, thread: str, minutes_ago: float) -> Conversation:
    at = timezone.now() - timedelta(minutes=minutes_ago)
    messages_ingest(
        account_id=account.pk,
        messages=[inbound(thread=thread, external_id=f"m-{thread}", author=thread, at=at)],
    )
    return Conversation.objects.get(external_thread_id=thread)


def _browser(agent) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=agent.user_id))
    return client


def _flag(html: str, conversation: Conversation) -> str:
    """The visible text of a row's SLA flag ('' when hidden)."""
    row = re.search(rf'<li id="row-{conversation.pk}" .*?</li>', html, re.S).group(0)
    flag = re.search(r'<span class="sla[^"]*" data-field="sla"[^>]*>(.*?)</span>', row, re.S)
    return "" if "hidden>" in flag.group(0) else flag.group(1).strip()


def test_rows_say_when_a_target_is_due_or_breached(agent, x_account, team):
    SlaTarget.objects.create(team=team, kind="first_response", target_seconds=HOUR,
                             business_hours=False)  # fmt: skip
    fresh = _ask(x_account, "fresh", minutes_ago=10)
    at_risk = _ask(x_account, "at-risk", minutes_ago=50)
    breached = _ask(x_account, "breached", minutes_ago=90)

    html = _browser(agent).get("/").content.decode()

    assert _flag(html, fresh) == ""
    assert _flag(html, at_risk) == "SLA due in 10 min"
    assert 'class="sla sla-at_risk"' in html
    assert _flag(html, breached) == "SLA breached"


def test_no_flag_without_a_target_nor_once_an_agent_has_answered(agent, x_account, team):
    conversation = _ask(x_account, "t1", minutes_ago=90)
    browser = _browser(agent)
    assert _flag(browser.get("/").content.decode(), conversation) == ""  # no target

    for kind in ("first_response", "reply"):
        SlaTarget.objects.create(team=team, kind=kind, target_seconds=HOUR, business_hours=False)
    assert _flag(browser.get("/").content.decode(), conversation) == "SLA breached"

    reply_create(user=agent.user, conversation_id=conversation.pk, body="Vi kigger på det.")
    assert _flag(browser.get("/").content.decode(), conversation) == ""
    assert sla_clocks([conversation.pk]) == {}


def test_the_row_carries_its_clocks_for_the_page_to_keep_current(agent, x_account, team):
    SlaTarget.objects.create(team=team, kind="first_response", target_seconds=HOUR,
                             business_hours=False)  # fmt: skip
    conversation = _ask(x_account, "t1", minutes_ago=10)
    started = conversation.response_intervals.get(kind="first_response").started_at

    (clock,) = sla_clocks([conversation.pk])[conversation.pk]
    assert clock.kind == "first_response"
    assert clock.risk_at == started + timedelta(seconds=HOUR * AT_RISK_SHARE)
    assert clock.due_at == started + timedelta(seconds=HOUR)
    assert clock.state(started + timedelta(minutes=47)) is None
    assert clock.state(started + timedelta(minutes=49)) == "at_risk"
    assert clock.state(started + timedelta(minutes=61)) == "breached"

    html = _browser(agent).get("/").content.decode()
    clocks = re.search(rf'id="row-{conversation.pk}".*?data-clocks="([^"]*)"', html, re.S)
    assert json.loads(clocks.group(1).replace("&quot;", '"')) == [clock.as_dict()]


def test_flags_cost_the_same_queries_for_one_row_as_for_many(agent, x_account, team):
    SlaTarget.objects.create(team=team, kind="first_response", target_seconds=HOUR)
    _ask(x_account, "t1", minutes_ago=50)
    browser = _browser(agent)
    browser.get("/")  # warm: session, content types
    with CaptureQueriesContext(connection) as one:
        assert browser.get("/").status_code == 200
    for n in range(2, 12):
        _ask(x_account, f"t{n}", minutes_ago=50 + n / 10)
    with CaptureQueriesContext(connection) as many:
        html = browser.get("/").content.decode()
    assert html.count('class="sla sla-at_risk"') == 11
    assert len(many.captured_queries) == len(one.captured_queries)


def test_the_flag_is_translated(agent, x_account, team):
    agent.language = "da"
    agent.save(update_fields=["language"])
    SlaTarget.objects.create(team=team, kind="first_response", target_seconds=HOUR,
                             business_hours=False)  # fmt: skip
    at_risk = _ask(x_account, "at-risk", minutes_ago=50)
    breached = _ask(x_account, "breached", minutes_ago=90)

    html = _browser(agent).get("/").content.decode()

    assert _flag(html, at_risk) == "SLA udløber om 10 min"
    assert _flag(html, breached) == "SLA overskredet"


def test_a_business_hours_target_is_due_in_business_time(x_account, team):
    """A target counted in business hours is laid onto the team's schedule: asked on a
    Monday evening after closing, an hour's target is due at 10:00 on Tuesday."""
    weekdays = {str(d): [["09:00", "17:00"]] for d in range(1, 6)}
    BusinessSchedule.objects.create(
        team=team, time_zone="Europe/Copenhagen", weekly=weekdays, holidays=[]
    )
    SlaTarget.objects.create(team=team, kind="first_response", target_seconds=HOUR)
    cph = ZoneInfo("Europe/Copenhagen")
    monday_evening = datetime(2026, 11, 23, 20, 0, tzinfo=cph)
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="late", at=monday_evening)])
    conversation = Conversation.objects.get()

    (clock,) = sla_clocks([conversation.pk])[conversation.pk]
    assert clock.risk_at == datetime(2026, 11, 24, 9, 48, tzinfo=cph)
    assert clock.due_at == datetime(2026, 11, 24, 10, 0, tzinfo=cph)


def test_rows_built_live_ask_for_their_clocks_of_visible_conversations_only(
    agent, x_account, team, other_team
):
    SlaTarget.objects.create(team=team, kind="first_response", target_seconds=HOUR,
                             business_hours=False)  # fmt: skip
    SlaTarget.objects.create(team=other_team, kind="first_response", target_seconds=HOUR)
    mine = _ask(x_account, "mine", minutes_ago=50)
    elsewhere = _ask(ChannelAccountFactory(team=other_team), "elsewhere", minutes_ago=50)
    browser = _browser(agent)

    answer = browser.get(f"/conversations/sla?ids={mine.pk},{elsewhere.pk}").json()

    assert answer == {str(mine.pk): [c.as_dict() for c in sla_clocks([mine.pk])[mine.pk]]}
    assert browser.get("/conversations/sla?ids=1,x").status_code == 400
    assert browser.get("/conversations/sla").json() == {}
