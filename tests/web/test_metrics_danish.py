"""The managers' dashboard speaks the manager's language: every label, header, chart text and
the definitions are in Danish for a manager whose profile says Danish (issue #6)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from inbox.models import Agent, Conversation, SlaTarget
from inbox.permissions.roles import Role
from inbox.services import conversation_set_status, messages_ingest, reply_create
from tests.factories import AgentFactory, inbound

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(x_account, agent, team) -> None:
    """One answered and resolved conversation, and one waiting past its SLA target."""
    start = timezone.now() - timedelta(hours=1)
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="a", at=start)])
    answered = Conversation.objects.get()
    reply_create(user=agent.user, conversation_id=answered.pk, body="Svar")
    conversation_set_status(user=agent.user, conversation_id=answered.pk, status="resolved")
    messages_ingest(
        account_id=x_account.pk,
        messages=[inbound(thread="b", external_id="b1", author="c2", at=start)],
    )
    SlaTarget.objects.create(team=team, kind="first_response", target_seconds=1800)


def _manager(team, language: str) -> Client:
    manager: Agent = AgentFactory(teams=[team], role=Role.MANAGER, language=language)
    client = Client()
    client.force_login(User.objects.get(pk=manager.user_id))
    return client


def _text(html: str) -> str:
    """The page's visible text, tags dropped, whitespace folded."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def test_the_dashboard_is_in_danish_for_a_danish_manager(team, figures):
    response = _manager(team, "da").get("/metrics/?kind=first_response")
    assert response.status_code == 200
    html = response.content.decode()
    text = _text(html)

    assert '<html lang="da">' in html
    for danish in [
        "Svartider",  # title and heading
        "Fra", "Til", "Alle mine teams", "Anvend",  # the filters
        "Første svar · median", "Svar · median", "Løsning · median",  # headline cards
        "Over tid", "Fordeling", "Hvornår kunderne skriver (time i ugen)",
        "Første svar pr. dag: median og p90",  # the line chart's title
        "Kundeventetider begyndt pr. time i ugen",  # the heatmap's title
        "Mål Målt Overskredet Overholdt I gang, allerede over",  # SLA table headers
        "Tæt på overskridelse", "I gang i", "Frist", "Tilstand",  # at risk (none breached yet)
        "Første svar pr. medarbejder", "Første svar pr. kanal",  # the tables
        "Antal Median p90 Gennemsnit",
        "Sådan måles tallene", "Første svartid", "Interne noter tæller aldrig",
    ]:  # fmt: skip
        assert danish in text, danish
    assert re.search(r">(man|tir|ons|tor|fre|lør|søn)</text>", html)  # heatmap weekdays
    for english in [
        "Response times", "All my teams", "Over time", "Headline figures", "Running for",
        "How these figures are measured", "Internal notes never count", "no data",
        "First response", " per agent", "Count", "Mean",
    ]:  # fmt: skip
        assert english not in text, english


def test_durations_use_danish_units(team, figures):
    text = _text(_manager(team, "da").get("/metrics/?kind=first_response").content.decode())
    assert re.search(r"\b1 t \d\d min\b", text)  # the breached wait, running for an hour
    assert not re.search(r"\b1 h \d\d min\b", text)


def test_the_drill_down_is_in_danish_too(team, figures):
    text = _text(_manager(team, "da").get("/metrics/intervals?kind=reply").content.decode())
    assert "Svar: samtalerne bag tallet" in text
    assert "Tilbage til oversigten" in text
    assert "Besvaret af" in text


def test_an_english_manager_still_reads_english(team, figures):
    text = _text(_manager(team, "en").get("/metrics/?kind=first_response").content.decode())
    assert "Response times" in text
    assert "First response per day: median and p90" in text
    assert "How these figures are measured" in text
