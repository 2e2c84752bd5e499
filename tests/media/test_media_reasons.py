"""Why a media is unavailable is stored as a reason code plus the technical detail, and read in
each agent's own language: in the API (code, localised text, detail) and in the thread. Rows
stored before the codes (an English sentence) stay readable, and the migration splits the
sentences the fetch job wrote into code and detail (docs/media.md)."""

from __future__ import annotations

import importlib
from dataclasses import replace

import pytest
from django.apps import apps

from connectors.base import MediaItem, MediaKind, ThreadKind
from inbox.models import Conversation, Media, MediaReason, MediaState
from inbox.services import messages_ingest
from inbox.services.media_store import media_unavailable
from tests.factories import inbound
from tests.media.test_media_serving import client_for

pytestmark = pytest.mark.django_db
migration = importlib.import_module("inbox.migrations.0032_media_reason_code")

DANISH = "Platformen har ikke længere denne fil."
SWEDISH = "Plattformen har inte längre den här filen."
NORWEGIAN = "Plattformen har ikke lenger denne filen."


def photo_message(account) -> Media:  # noqa: ANN001 - a ChannelAccount
    item = MediaItem(MediaKind.PHOTO, "https://cdn.example/brev.jpg")
    message = replace(inbound(thread="dm:7", kind=ThreadKind.PRIVATE), media=(item,))
    messages_ingest(account_id=account.pk, messages=[message])
    return Media.objects.get()


def the_media(agent, conversation: Conversation) -> dict:  # noqa: ANN001 - an Agent
    # Signed in by session, as the inbox is: the API speaks the agent's profile language.
    detail = client_for(agent).get(f"/api/conversations/{conversation.pk}").json()
    return detail["messages"][0]["media"][0]


@pytest.mark.parametrize(("language", "text"), [("da", DANISH), ("sv", SWEDISH), ("nb", NORWEGIAN)])
def test_a_gone_photo_says_why_in_the_agents_language_with_the_detail_beside_it(
    agent, x_account, language, text
):
    media = photo_message(x_account)
    media_unavailable(media_id=media.pk, code=MediaReason.GONE, detail="HTTP 410")
    agent.language = language
    agent.save(update_fields=["language"])

    item = the_media(agent, media.message.conversation)

    assert (item["reason_code"], item["reason"], item["reason_detail"]) == (
        "gone", text, "HTTP 410",
    )  # fmt: skip
    pane = client_for(agent).get(f"/conversations/{media.message.conversation_id}/pane")
    html = pane.content.decode()
    assert f'<span class="reason" data-reason="gone">{text}</span>' in html
    assert "(HTTP 410)" in html
    assert "no longer has" not in html  # no English left in a Danish/Swedish/Norwegian thread


def test_an_english_agent_reads_the_reason_in_english(agent, x_account):
    media = photo_message(x_account)
    media_unavailable(
        media_id=media.pk, code=MediaReason.UNPLAYABLE_VIDEO, detail="not a playable video (x)"
    )
    agent.language = "en"
    agent.save(update_fields=["language"])

    item = the_media(agent, media.message.conversation)

    assert item["reason_code"] == "unplayable_video"
    assert item["reason"] == "The video could not be played."
    assert item["reason_detail"] == "not a playable video (x)"


def test_a_reason_stored_before_the_codes_is_shown_as_it_was_stored(agent, x_account):
    media = photo_message(x_account)
    sentence = "Something the job once said."
    Media.objects.filter(pk=media.pk).update(
        state=MediaState.UNAVAILABLE, unavailable_reason=sentence
    )

    item = the_media(agent, media.message.conversation)

    assert (item["reason_code"], item["reason"], item["reason_detail"]) == ("", sentence, "")
    pane = client_for(agent).get(f"/conversations/{media.message.conversation_id}/pane")
    assert sentence in pane.content.decode()


def test_a_media_still_waiting_has_no_reason_even_after_a_failed_attempt(agent, x_account):
    media = photo_message(x_account)
    Media.objects.filter(pk=media.pk).update(unavailable_reason="HTTP 503")  # a retry waits

    item = the_media(agent, media.message.conversation)

    assert (item["state"], item["reason_code"], item["reason"]) == ("pending", "", "")


@pytest.mark.parametrize(
    ("stored", "code", "detail"),
    [
        ("The platform no longer has it (HTTP 410).", "gone", "HTTP 410"),
        ("Refused: sent as an image, but the file is text/html.", "not_an_image",
         "sent as an image, but the file is text/html"),
        ("Refused: the image is too large in pixels (a decompression bomb): Image size "
         "(100000000 pixels) exceeds limit.", "image_bomb",
         "the image is too large in pixels (a decompression bomb): Image size "
         "(100000000 pixels) exceeds limit"),
        ("Refused: not a readable image: cannot identify image file.", "unreadable_image",
         "not a readable image: cannot identify image file"),
        ("Refused: the video could not be read within 30 s.", "video_timeout",
         "the video could not be read within 30 s"),
        ("Refused: not a playable video (ffmpeg: moov atom not found).", "unplayable_video",
         "not a playable video (ffmpeg: moov atom not found)"),
        ("Refused: 50000000 bytes, over the limit of 1000000.", "too_large",
         "50000000 bytes, over the limit of 1000000"),
        ("Refused: more than the limit of 1000000 bytes.", "too_large",
         "more than the limit of 1000000 bytes"),
        ("Refused: HTTP 403.", "refused", "HTTP 403"),
        ("HTTP 503 (after 5 attempts)", "gave_up", "HTTP 503 (after 5 attempts)"),
        ("Anything else at all", "", "Anything else at all"),
    ],
)  # fmt: skip
def test_the_migration_reads_each_sentence_the_job_wrote_as_a_code_and_its_detail(
    stored, code, detail
):
    assert migration.legacy_reason(stored) == (code, detail)


def test_the_migration_splits_stored_rows_and_back_losing_nothing(x_account):
    gone = photo_message(x_account)
    odd = Media.objects.create(message=gone.message, position=1, kind="photo")
    waiting = Media.objects.create(message=gone.message, position=2, kind="photo")
    Media.objects.filter(pk=gone.pk).update(
        state="unavailable", unavailable_reason="The platform no longer has it (HTTP 404)."
    )
    Media.objects.filter(pk=odd.pk).update(state="unavailable", unavailable_reason="Odd words")
    Media.objects.filter(pk=waiting.pk).update(unavailable_reason="HTTP 503")

    migration.split_reasons(apps, None)

    rows = {m.pk: (m.unavailable_code, m.unavailable_reason) for m in Media.objects.all()}
    assert rows == {
        gone.pk: ("gone", "HTTP 404"), odd.pk: ("", "Odd words"), waiting.pk: ("", "HTTP 503"),
    }  # fmt: skip

    migration.join_reasons(apps, None)

    back = dict(Media.objects.values_list("pk", "unavailable_reason"))
    assert back[gone.pk] == "The platform no longer has it (HTTP 404)."
    assert back[odd.pk] == "Odd words"
