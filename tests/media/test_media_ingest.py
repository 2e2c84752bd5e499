"""Ingest of messages with media: a message that is only media is a real message, its media
rows wait for their own fetch job (queued after commit), and the list says what came."""

from __future__ import annotations

from dataclasses import replace

import django_rq
import pytest
from django.utils import translation

from connectors.base import FetchResult, MediaItem, MediaKind, ThreadKind
from inbox.models import AccountHealth, Contact, Conversation, Media, MediaState, Message
from inbox.services import messages_ingest
from inbox.services.accounts import poll_result_apply
from inbox.services.media_ingest import MEDIA_QUEUE
from tests.factories import inbound

pytestmark = pytest.mark.django_db(transaction=True)

PHOTO = MediaItem(MediaKind.PHOTO, "https://pbs.twimg.com/media/a.jpg", "Et brev", "", "3_1")
SHARE = MediaItem(MediaKind.SHARE, "https://skat.dk/fradrag")


@pytest.fixture
def media_queue():
    queue = django_rq.get_queue(MEDIA_QUEUE)
    queue.empty()
    yield queue
    queue.empty()


def test_a_message_that_is_only_a_photo_is_stored_and_the_list_says_photo(x_account, media_queue):
    message = replace(inbound(thread="dm:1", body="", kind=ThreadKind.PRIVATE), media=(PHOTO,))

    result = messages_ingest(account_id=x_account.pk, messages=[message])

    assert result.created == 1
    stored = Message.objects.get()
    assert stored.body == ""
    [media] = stored.media.all()
    assert (media.kind, media.source_url, media.alt_text, media.platform_key) == (
        "photo", PHOTO.url, "Et brev", "3_1",
    )  # fmt: skip
    assert media.state == MediaState.PENDING
    assert Conversation.objects.get().snippet == "Photo"
    assert media_queue.job_ids == [f"media-{media.pk}"]  # queued after the commit


def test_a_polls_files_go_as_one_job_that_a_worker_splits_into_one_fetch_per_file(
    x_account, media_queue
):
    photos = [replace(PHOTO, url=f"https://pbs.twimg.com/media/{n}.jpg") for n in range(3)]
    messages = [replace(inbound(thread=f"dm:{n}", external_id=f"m{n}", body=""), media=(photo,))
                for n, photo in enumerate(photos)]  # fmt: skip

    messages_ingest(account_id=x_account.pk, messages=messages)

    ids = sorted(Media.objects.values_list("pk", flat=True))
    [poll_job] = media_queue.get_jobs()  # the ingest paid for one job, not three
    assert poll_job.args == (ids,)
    media_queue.remove(poll_job)
    poll_job.perform()  # what a worker does with it
    assert sorted(media_queue.job_ids) == sorted(f"media-{pk}" for pk in ids)


def test_the_snippet_is_in_the_site_language(x_account, settings, media_queue):
    settings.LANGUAGE_CODE = "da"
    with translation.override("da"):
        messages_ingest(
            account_id=x_account.pk, messages=[replace(inbound(body=""), media=(PHOTO, PHOTO))]
        )

    assert Conversation.objects.get().snippet == "2 vedhæftninger"


def test_text_beside_media_stays_the_snippet_and_links_are_not_fetched(x_account, media_queue):
    messages_ingest(
        account_id=x_account.pk, messages=[replace(inbound(body="Se her"), media=(SHARE,))]
    )

    assert Conversation.objects.get().snippet == "Se her"
    assert Media.objects.get().state == MediaState.LINK
    assert media_queue.job_ids == []


def test_a_page_without_names_keeps_the_names_already_known(x_account, media_queue):
    messages_ingest(account_id=x_account.pk, messages=[inbound(name="Kirsten", handle="kir")])
    messages_ingest(account_id=x_account.pk, messages=[inbound(name="", handle="")])

    assert Contact.objects.values_list("name", "handle").get() == ("Kirsten", "kir")


def test_a_poll_that_shows_a_missing_permission_marks_the_account(x_account, media_queue):
    result = FetchResult(messages=(), cursor={}, missing_permissions=("MODERATE",))

    poll_result_apply(account_id=x_account.pk, result=result)

    x_account.refresh_from_db()
    assert x_account.health == AccountHealth.DEGRADED
    assert x_account.missing_permissions == ["MODERATE"]
    assert "MODERATE" in x_account.last_error
