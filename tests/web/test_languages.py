"""Swedish and Norwegian beside English and Danish (issue #18): the language follows the
profile, else the browser; a language Svar lacks, in the browser or in a profile whose language
was removed, falls back without an error; dates read as the reader's language writes them; and
what Svar writes to a customer is proposed in the customer's language, not the agent's."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from inbox.composer.customer_texts import customer_language, customer_texts
from inbox.models import Agent, Conversation, Message, Team
from inbox.services import messages_ingest
from tests.factories import inbound

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(x_account) -> Conversation:
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="t1", external_id="101")])
    return Conversation.objects.get(account=x_account)


def _client(agent: Agent, language: str = "") -> Client:
    agent.language = language
    agent.save(update_fields=["language"])
    client = Client()
    client.force_login(User.objects.get(pk=agent.user_id))
    return client


def _lang(html: bytes) -> str:
    return re.search(rb'<html lang="([^"]+)"', html).group(1).decode()


@pytest.mark.parametrize(
    ("accept", "language", "button"),
    [("sv-SE,sv;q=0.9", "sv", "Logga in"), ("nb-NO,nb;q=0.9", "nb", "Logg inn"),
     ("da", "da", "Log ind"), ("fi-FI,fi;q=0.9", "en", "Log in"), ("xx-ZZ", "en", "Log in")],
)  # fmt: skip
def test_the_login_page_speaks_the_browsers_language_and_english_for_one_svar_lacks(
    accept, language, button
):
    response = Client().get("/login/", HTTP_ACCEPT_LANGUAGE=accept)

    assert response.status_code == 200
    assert _lang(response.content) == language
    assert button in response.content.decode()


def test_the_profile_language_wins_over_the_browser(agent, conversation):
    page = _client(agent, "nb").get("/", HTTP_ACCEPT_LANGUAGE="sv")

    assert _lang(page.content) == "nb"
    assert "Innboks" in page.content.decode()


@pytest.mark.parametrize(("accept", "language"), [("sv", "sv"), ("fi", "en")])
def test_a_profile_language_svar_no_longer_has_falls_back_to_the_browser_then_english(
    agent, conversation, accept, language
):
    client = _client(agent, "fi")  # a language once offered, since removed from LANGUAGES

    page = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    pane = client.get(f"/conversations/{conversation.pk}/pane", HTTP_ACCEPT_LANGUAGE=accept)

    assert page.status_code == pane.status_code == 200
    assert _lang(page.content) == language


def test_a_profile_language_removed_from_settings_falls_back(agent, conversation, settings):
    settings.LANGUAGES = [("en", "English"), ("da", "Dansk")]

    page = _client(agent, "nb").get("/", HTTP_ACCEPT_LANGUAGE="da")

    assert page.status_code == 200
    assert _lang(page.content) == "da"


@pytest.mark.parametrize(
    ("language", "moment", "day"),
    [("en", "4 Dec 15:04", "4 Dec 2026"), ("da", "4. dec. 15:04", "4. dec. 2026"),
     ("sv", "4 dec. 15:04", "4 dec. 2026"), ("nb", "4. des. 15:04", "4. des. 2026")],
)  # fmt: skip
def test_dates_read_as_the_readers_language_writes_them(language, moment, day):
    at = datetime(2026, 12, 4, 14, 4, tzinfo=UTC)  # 15:04 in Copenhagen, Stockholm and Oslo
    template = Template("{% load svar %}{{ at|moment }}|{{ at|day }}")

    with translation.override(language):
        assert template.render(Context({"at": at})) == f"{moment}|{day}"


def test_the_live_indicator_and_the_conversation_dates_are_translated(agent, conversation):
    html = _client(agent, "da").get(f"/conversations/{conversation.pk}/").content.decode()
    strings = json.loads(re.search(r'id="svar-strings"[^>]*>(.*?)</script>', html, re.S)[1])

    assert strings["online"] == "Direkte"
    assert re.search(r"<time [^>]*>\d{1,2}\. \w{3}\. \d\d:\d\d</time>", html)


def test_the_customers_language_is_the_teams_then_the_installations_then_the_agents(
    conversation, settings
):
    settings.SVAR_CUSTOMER_LANGUAGE = ""
    with translation.override("da"):
        assert customer_language(conversation) == "da"
    with translation.override("fi"):
        assert customer_language(conversation) == "en"
    settings.SVAR_CUSTOMER_LANGUAGE = "nb"
    assert customer_language(conversation) == "nb"
    conversation.team.customer_language = "sv"
    assert customer_language(conversation) == "sv"


def test_the_customers_own_words_when_long_enough_go_before_the_teams_language(conversation):
    conversation.team.customer_language = "da"
    norwegian = "Hei, jeg lurer på når skattemeldingen min blir ferdig behandlet?"
    swedish = "Hej, jag undrar när min deklaration blir färdigbehandlad?"

    assert customer_language(conversation, customer_words=norwegian) == "nb"
    assert customer_language(conversation, customer_words=swedish) == "sv"
    assert customer_language(conversation, customer_words="Tak for hjælpen") == "da"  # too few


def test_each_text_to_the_customer_exists_in_each_language():
    texts = customer_texts(customer_name="Kirsten")

    assert texts["sv"]["handover"] == "Min kollega %(name)s tar över härifrån."
    assert texts["nb"]["handover"] == "Min kollega %(name)s tar over herfra."
    assert texts["da"]["handover"] == "Min kollega %(name)s tager over herfra."
    assert texts["en"]["private_ask"].startswith("Hi Kirsten, so we can help")
    assert texts["sv"]["hidden_comment"].startswith("Hej Kirsten! Vi har dolt din kommentar")
    assert texts["nb"]["private_ask"].startswith("Hei Kirsten! For at vi skal kunne hjelpe")


def test_a_danish_agent_is_proposed_the_swedish_teams_customer_language(agent, conversation):
    Team.objects.filter(pk=conversation.team_id).update(customer_language="sv")
    Message.objects.filter(conversation=conversation).update(text="Hej!")  # too short to tell

    html = _client(agent, "da").get(f"/conversations/{conversation.pk}/pane").content.decode()

    assert "Kundens sprog" in html  # the agent's own language around it
    assert re.search(r'<option value="sv" lang="sv" selected>Svenska</option>', html)
    texts = json.loads(re.search(r'id="customer-texts"[^>]*>(.*?)</script>', html, re.S)[1])
    assert set(texts) == {"da", "sv", "nb", "en"}
    assert texts["sv"]["handover"] == "Min kollega %(name)s tar över härifrån."


def test_an_admin_sets_the_teams_customer_language_on_the_teams_page(admin_agent, team):
    admin = _client(admin_agent)

    page = admin.get("/teams/").content.decode()
    saved = admin.post(f"/teams/{team.pk}/rename", {"name": team.name, "customer_language": "nb"})
    renamed = admin.post(f"/teams/{team.pk}/rename", {"name": "Skatteetaten"})
    refused = admin.post(f"/teams/{team.pk}/rename", {"name": team.name, "customer_language": "fi"})

    assert f'id="id_team{team.pk}_customer_language"' in page
    assert saved.status_code == renamed.status_code == 302
    assert refused.status_code == 400
    team.refresh_from_db()
    assert (team.name, team.customer_language) == ("Skatteetaten", "nb")  # a rename keeps it
