"""The customer API (issue #19): the person on every channel, merge and split, and the
data-subject routes; errors in the API's one shape."""

from __future__ import annotations

import io
import zipfile

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import User
from django.test import AsyncClient

from inbox.models import Contact, DataRequest
from inbox.permissions.roles import Role
from tests.conftest import api_client_for
from tests.factories import AgentFactory
from tests.inbox.customer_data_support import HANDLE, customer_with_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(team):
    return customer_with_data(team)


def test_the_person_lists_contacts_conversations_and_suggestions(agent, person):
    body = api_client_for(agent).get(f"/api/customers/{person.on_x.pk}").json()

    assert body["profile_id"] == person.on_x.profile_id
    assert [c["id"] for c in body["contacts"]] == [person.on_x.pk, person.on_facebook.pk]
    assert {c["id"] for c in body["conversations"]} == {person.public.pk, person.private.pk}
    assert body["suggestions"] == []


def test_merging_contacts_already_in_one_profile_answers_unchanged(agent, person):
    client = api_client_for(agent)
    url = f"/api/customers/{person.on_x.pk}/merge"

    response = client.post(url, {"contact_id": person.on_facebook.pk}, format="json")

    assert response.status_code == 200
    assert response.json()["changed"] is False
    assert client.post(url, {"contact_id": "x"}, format="json").json()["error"]["code"]
    split = client.post(f"/api/customers/{person.on_facebook.pk}/unmerge").json()
    assert split["changed"] is True


def test_a_manager_finds_and_erases_and_the_answer_names_held_items(manager, person):
    client = api_client_for(manager)

    found = client.get(f"/api/customers/{person.on_x.pk}/data").json()
    erased = client.post(f"/api/customers/{person.on_x.pk}/data/erase")

    assert found["counts"]["messages"] == 3
    assert erased.status_code == 200
    assert erased.json()["held_conversation_ids"] == []
    assert erased.json()["request_id"] == DataRequest.objects.get().pk
    assert not Contact.objects.filter(handle=HANDLE).exists()


@pytest.mark.parametrize("route", ["data", "data/export", "data/erase"])
def test_an_unknown_person_is_not_found(manager, person, route):
    client = api_client_for(manager)
    method = client.post if route == "data/erase" else client.get

    response = method(f"/api/customers/999999999/{route}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("route", ["data", "data/export", "data/erase"])
def test_another_teams_manager_and_an_agent_are_refused(agent, other_team, person, route):
    outsider = AgentFactory(teams=[other_team], role=Role.MANAGER)
    for who, status in ((outsider, 404), (agent, 403)):
        client = api_client_for(who)
        method = client.post if route == "data/erase" else client.get
        assert method(f"/api/customers/{person.on_x.pk}/{route}").status_code == status
    assert not DataRequest.objects.exists()


def test_under_asgi_the_export_streams_and_is_recorded(manager, person):
    async def download() -> tuple[bool, bytes]:
        client = AsyncClient()
        await client.aforce_login(await User.objects.aget(pk=manager.user_id))  # as stored
        response = await client.get(f"/api/customers/{person.on_x.pk}/data/export")
        return response.is_async, b"".join([piece async for piece in response.streaming_content])

    is_async, body = async_to_sync(download)()

    assert is_async  # Django would otherwise read a sync iterator whole first
    assert "messages.json" in zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert DataRequest.objects.get().counts["messages.json"] == 3
