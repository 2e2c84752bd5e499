"""The customer page (issue #19): an agent sees the person on every channel and merges or
splits contacts; a manager also sees what Svar holds, downloads it, and erases it after
ticking the box; another team's customer is not found. In Danish for a Danish agent."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.auth.models import User
from django.test import Client

from inbox.models import Contact, DataRequest
from inbox.permissions.roles import Role
from tests.factories import AgentFactory
from tests.inbox.customer_data_support import NAME, customer_with_data, put_on_hold

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(team):
    return customer_with_data(team)


def logged_in(agent) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=agent.user_id))  # the stored password's hash
    return client


def test_an_agent_sees_the_person_on_every_channel_without_the_request_forms(agent, person):
    page = logged_in(agent).get(f"/customers/{person.on_x.pk}/").content.decode()

    assert NAME in page
    assert f"/conversations/{person.public.pk}/" in page
    assert f"/conversations/{person.private.pk}/" in page
    assert 'id="customer-erase"' not in page


def test_the_conversation_view_links_the_customer_page(agent, person):
    page = logged_in(agent).get(f"/conversations/{person.private.pk}/").content.decode()

    assert f'href="/customers/{person.on_facebook.pk}/"' in page
    assert f"/conversations/{person.public.pk}/" in page  # the person's tweet, on X


def test_merging_from_the_page_says_when_nothing_changed(agent, person):
    client = logged_in(agent)
    url = f"/customers/{person.on_x.pk}/merge"

    response = client.post(url, {"contact_id": person.on_facebook.pk}, follow=True)

    assert "already are one customer" in response.content.decode()
    split = client.post(f"/customers/{person.on_facebook.pk}/unmerge", follow=True)
    assert "of its own again" in split.content.decode()
    assert Contact.objects.get(pk=person.on_x.pk).profile_id is None


def test_a_manager_downloads_the_zip_and_erases_after_confirming(manager, person, monkeypatch):
    client = logged_in(manager)
    page = client.get(f"/customers/{person.on_x.pk}/").content.decode()
    assert 'id="customer-erase"' in page

    download = client.get(f"/customers/{person.on_x.pk}/export")
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert "messages.json" in names
    unconfirmed = client.post(f"/customers/{person.on_x.pk}/erase")
    assert unconfirmed.status_code == 400
    put_on_hold(person.public)
    erased = client.post(f"/customers/{person.on_x.pk}/erase", {"confirm": "erase"})

    assert erased.status_code == 200
    assert f'href="/conversations/{person.public.pk}/"' in erased.content.decode()
    assert [r.kind for r in DataRequest.objects.order_by("pk")] == ["export", "erase"]


def test_another_teams_customer_is_not_found(other_team, person):
    outsider = logged_in(AgentFactory(teams=[other_team], role=Role.MANAGER))

    assert outsider.get(f"/customers/{person.on_x.pk}/").status_code == 404
    assert outsider.get(f"/customers/{person.on_x.pk}/export").status_code == 404
    erase = outsider.post(f"/customers/{person.on_x.pk}/erase", {"confirm": "erase"})
    assert erase.status_code == 404


def test_the_page_is_in_danish_for_a_danish_agent(team, person):
    danish = AgentFactory(teams=[team], role=Role.MANAGER, language="da")

    page = logged_in(danish).get(f"/customers/{person.on_x.pk}/").content.decode()

    assert "Kontakter" in page
    assert "Hent alt (ZIP)" in page
