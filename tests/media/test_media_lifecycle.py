"""The end of a media file's life, with real files in the media storage: retention (delete or
anonymise) and a data-subject erasure remove the files once their transaction has committed,
never before, and a file already gone is no error; the data-subject export carries the files."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from itertools import count

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from inbox.media.lifecycle import media_erase, media_files_delete
from inbox.media.storage import media_storage
from inbox.models import Conversation, InboxEvent, Media, MediaState, Message, RetentionPolicy
from inbox.retention.jobs import retention_run
from inbox.services.data_requests import data_erase
from tests.conftest import api_client_for
from tests.inbox.customer_data_support import customer_with_data
from tests.inbox.metrics_support import Clock
from tests.media import media_support
from tests.retention.support import resolved_conversation

pytestmark = pytest.mark.django_db(transaction=True)  # real commits: on_commit runs
media_root = media_support.media_root
_names = count(1)
PHOTO = b"\xff\xd8\xff\xe0" + b"receipt" * 100


def stored_media(message: Message, body: bytes = PHOTO) -> Media:
    """A stored photo with its thumbnail, written to the media storage."""
    media = Media.objects.create(message=message, kind="photo", state=MediaState.STORED,
                                 content_type="image/jpeg", size=len(body),
                                 alt_text="Min kvittering")  # fmt: skip
    n = next(_names)
    media.file.save(f"{message.pk}/{n}.jpg", ContentFile(body), save=False)
    media.thumbnail.save(f"{message.pk}/{n}-thumb.jpg", ContentFile(b"\xff\xd8\xffT"), save=False)
    media.save()
    return media


def on_disk(media: Media) -> list[bool]:
    storage = media_storage()
    return [storage.exists(media.file.name), storage.exists(media.thumbnail.name)]


@pytest.fixture
def old_with_photo(monkeypatch, x_account, agent, media_root) -> tuple[Conversation, Media]:
    at = timezone.now() - timedelta(days=365)
    conversation = resolved_conversation(Clock(monkeypatch), x_account, agent, "old", at)
    message = conversation.messages.get(direction="in")
    return conversation, stored_media(message)


@pytest.mark.parametrize("action", ["delete", "anonymise"])
def test_retention_removes_the_files_of_what_it_deletes_or_anonymises(team, old_with_photo, action):
    conversation, media = old_with_photo
    RetentionPolicy.objects.create(team=team, days=90, action=action, updated_at=timezone.now())
    assert on_disk(media) == [True, True]

    counts = retention_run(team.pk)

    assert counts["media_files"] == 2  # the photo and its thumbnail
    assert on_disk(media) == [False, False]
    assert not Media.objects.exists()
    assert Conversation.objects.filter(pk=conversation.pk).exists() == (action == "anonymise")


def test_a_file_already_gone_does_not_stop_retention_or_the_other_files(team, old_with_photo):
    _, media = old_with_photo
    media_storage().delete(media.file.name)  # deleted by hand, or by an attempt that died
    RetentionPolicy.objects.create(team=team, days=90, action="delete", updated_at=timezone.now())

    retention_run(team.pk)

    assert on_disk(media) == [False, False]
    assert media_files_delete([media.file.name, "no/such/file.jpg"]) == 2


def test_files_stay_when_the_transaction_that_erased_their_rows_rolls_back(old_with_photo):
    _, media = old_with_photo

    def erase_then_fail() -> None:
        with transaction.atomic():
            raise RuntimeError(f"the batch failed after erasing {media_erase([media.message_id])}")

    with pytest.raises(RuntimeError, match="after erasing 2"):
        erase_then_fail()

    assert Media.objects.filter(pk=media.pk).exists()
    assert on_disk(media) == [True, True]


def test_erasing_a_person_removes_their_files_and_not_a_bystanders(team, manager, media_root):
    person = customer_with_data(team)
    theirs = stored_media(person.private.messages.get(direction="in"))
    bystanders = stored_media(person.bystander.messages.get())

    erasure = data_erase(user=manager.user, contact_id=person.on_x.pk)

    assert erasure.counts["media_files"] == 2
    assert on_disk(theirs) == [False, False]
    assert not Media.objects.filter(pk=theirs.pk).exists()
    assert on_disk(bystanders) == [True, True]


def test_an_erasure_blanks_the_media_described_in_logged_events(team, manager, media_root):
    person = customer_with_data(team)
    message = person.private.messages.get(direction="in")
    InboxEvent.objects.filter(conversation=person.private).update(
        payload={"kind": "message.media_changed", "media": {"id": 1, "alt_text": "Kirsten"}}
    )
    stored_media(message)

    data_erase(user=manager.user, contact_id=person.on_x.pk)

    payloads = InboxEvent.objects.filter(conversation=person.private).values_list(
        "payload", flat=True
    )
    assert all(p["media"]["alt_text"] == "" for p in payloads)


def test_the_export_carries_the_persons_files_as_stored(team, manager, media_root):
    person = customer_with_data(team)
    theirs = stored_media(person.private.messages.get(direction="in"), body=PHOTO + b"mine")
    stored_media(person.bystander.messages.get(), body=PHOTO + b"not theirs")
    gone = stored_media(person.public.messages.get(direction="in"))
    media_storage().delete(gone.file.name)  # left out, the archive still whole

    response = api_client_for(manager).get(f"/api/customers/{person.on_x.pk}/data/export")
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        path = f"media/{theirs.message_id}/{theirs.pk}.jpg"
        assert [n for n in archive.namelist() if n.startswith("media/")] == [path]
        assert archive.read(path) == PHOTO + b"mine"
        manifest = json.loads(archive.read("manifest.json"))

    assert manifest["media"] == [
        {"path": path, "message_id": theirs.message_id, "content_type": "image/jpeg"}
    ]
