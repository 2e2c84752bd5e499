"""Data-subject requests (issue #19): a manager finds everything about a person across
channels, exports it as a ZIP of JSON files, or erases it; the request is recorded without
the data; held conversations stay; another team's person is not found."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from connectors.base import Platform
from inbox.exceptions import NotFound, PermissionDenied
from inbox.models import (
    AuditEntry,
    Contact,
    Conversation,
    DataRequest,
    Message,
    Note,
    ResponseInterval,
)
from inbox.permissions.roles import Role
from inbox.selectors.customer_data import PLATFORM_SIDE_NOTE, data_scope, data_summary
from inbox.services import messages_ingest
from inbox.services.data_requests import ERASED, data_erase
from tests.conftest import api_client_for
from tests.factories import AgentFactory, ChannelAccountFactory, inbound
from tests.inbox.customer_data_support import HANDLE, NAME, customer_with_data, put_on_hold

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(team):
    return customer_with_data(team)


def exported(agent, contact_id) -> dict[str, object]:
    """The archive as the API streams it."""
    response = api_client_for(agent).get(f"/api/customers/{contact_id}/data/export")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/zip"
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: json.loads(archive.read(name)) for name in archive.namelist()}


def test_find_counts_everything_about_the_person_on_every_channel(manager, person):
    scope = data_scope(manager.user, person.on_facebook.pk)

    assert sorted(c.pk for c in scope.contacts) == sorted([person.on_x.pk, person.on_facebook.pk])
    # Two conversations; three messages (theirs on X and Messenger, our reply); the note on
    # their conversation and the note elsewhere naming their handle.
    assert data_summary(scope) == {
        "contacts": 2, "conversations": 2, "messages": 3, "notes": 2, "on_hold": 0,
    }  # fmt: skip


def test_the_export_is_json_per_part_with_platform_side_content_marked(manager, person):
    files = exported(manager, person.on_x.pk)

    assert set(files) == {"manifest.json", "contacts.json", "conversations.json",
                          "messages.json", "notes.json"}  # fmt: skip
    assert {c["platform_id"] for c in files["contacts.json"]} == {"x-1", "fb-1"}
    texts = {m["text"]: m["on_platform"] for m in files["messages.json"]}
    assert texts["Mit cpr er 010101-1234"] == PLATFORM_SIDE_NOTE  # a public tweet
    assert texts["Hej, det er Kirsten igen"] is None  # a private message
    assert {n["body"] for n in files["notes.json"]} == {"Ringet til hende", f"Bo kender @{HANDLE}"}
    manifest = files["manifest.json"]
    assert manifest["files"]["messages.json"] == 3
    assert manifest["media"] == []
    request = DataRequest.objects.get()
    assert request.kind == "export"
    assert request.counts["messages.json"] == 3
    assert AuditEntry.objects.filter(action="data.exported", object_id=str(request.pk)).exists()


def test_erasure_blanks_the_person_and_keeps_the_metrics(manager, person):
    intervals = ResponseInterval.objects.filter(conversation=person.private).count()

    erasure = data_erase(user=manager.user, contact_id=person.on_x.pk)

    assert erasure.held_conversation_ids == []
    assert erasure.kept_contact_ids == []
    for contact in Contact.objects.filter(pk__in=[person.on_x.pk, person.on_facebook.pk]):
        assert (contact.name, contact.handle, contact.profile_id) == ("", "", None)
        assert contact.external_id == f"erased-{contact.pk}"
    mine = Message.objects.filter(conversation__in=[person.public, person.private])
    assert set(mine.values_list("text", flat=True)) == {ERASED}
    assert not Note.objects.filter(conversation=person.private).exists()
    reply = Message.objects.get(conversation=person.private, direction="out")
    assert reply.delivery_state == "failed"  # the queued reply is never sent
    assert Note.objects.get(conversation=person.bystander).body == f"Bo kender {ERASED}"
    assert Message.objects.get(conversation=person.bystander).text == "Jeg har et spørgsmål"
    private = Conversation.objects.get(pk=person.private.pk)
    assert private.snippet == ""
    assert private.status == person.private.status
    assert ResponseInterval.objects.filter(conversation=person.private).count() == intervals


def test_the_request_is_recorded_without_the_erased_data(manager, person):
    erasure = data_erase(user=manager.user, contact_id=person.on_x.pk)

    request = DataRequest.objects.get(pk=erasure.request_id)
    assert (request.kind, request.handled_by_id, request.team_ids) == (
        "erase",
        manager.pk,
        [person.private.team_id],
    )
    entry = AuditEntry.objects.get(action="data.erased")
    stored = json.dumps([list(DataRequest.objects.values()), entry.details], default=str)
    for personal in (NAME, HANDLE, "x-1", "fb-1", "010101-1234", "Kirsten"):
        assert personal not in stored


def test_a_new_message_after_erasure_starts_a_new_contact(manager, person):
    data_erase(user=manager.user, contact_id=person.on_x.pk)
    account_id = person.public.account_id

    messages_ingest(account_id=account_id, messages=[inbound(thread="tw-2", author="x-1")])

    assert Contact.objects.get(external_id="x-1").pk != person.on_x.pk


def test_erasure_leaves_a_conversation_on_legal_hold_whole_and_says_so(
    manager, person, monkeypatch
):
    put_on_hold(person.public)

    erasure = data_erase(user=manager.user, contact_id=person.on_facebook.pk)

    assert erasure.held_conversation_ids == [person.public.pk]
    assert erasure.kept_contact_ids == [person.on_x.pk]
    assert Message.objects.get(conversation=person.public).text == "Mit cpr er 010101-1234"
    assert Contact.objects.get(pk=person.on_x.pk).name == NAME  # the held thread needs it
    assert set(
        Message.objects.filter(conversation=person.private).values_list("text", flat=True)
    ) == {ERASED}
    assert DataRequest.objects.get().held_conversation_ids == [person.public.pk]


def test_erasing_an_unknown_person_is_not_found_and_records_nothing(manager, person):
    with pytest.raises(NotFound):
        data_erase(user=manager.user, contact_id=999_999_999)
    assert not DataRequest.objects.exists()


def test_another_teams_person_is_not_found(other_team, person):
    their_manager = AgentFactory(teams=[other_team], role=Role.MANAGER)

    with pytest.raises(NotFound):
        data_erase(user=their_manager.user, contact_id=person.on_x.pk)
    with pytest.raises(NotFound):
        data_scope(their_manager.user, person.on_x.pk)
    assert Contact.objects.get(pk=person.on_x.pk).name == NAME


def test_agents_may_not_handle_data_subject_requests(agent, person):
    with pytest.raises(PermissionDenied):
        data_erase(user=agent.user, contact_id=person.on_x.pk)


def test_a_managers_erasure_stays_in_their_teams(manager, person, other_team):
    """The same Facebook user also wrote to another team's Page: that team's conversation and
    the contact it needs are left alone, and the answer says the contact was kept."""
    theirs = ChannelAccountFactory(team=other_team, platform=Platform.FACEBOOK)
    messages_ingest(account_id=theirs.pk, messages=[
        inbound(thread="other", author="fb-1", name=NAME, body="Til Told"),
    ])  # fmt: skip

    erasure = data_erase(user=manager.user, contact_id=person.on_x.pk)

    assert erasure.kept_contact_ids == [person.on_facebook.pk]
    assert Message.objects.get(conversation__account=theirs).text == "Til Told"
    assert Contact.objects.get(pk=person.on_facebook.pk).external_id == "fb-1"
    assert Contact.objects.get(pk=person.on_x.pk).external_id == f"erased-{person.on_x.pk}"
