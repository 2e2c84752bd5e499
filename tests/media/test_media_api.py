"""Media as data: the conversation API lists each message's media with its state and Svar's own
URLs, as the OpenAPI schema documents it, and the inbox hears ``message.media_changed`` when the
fetch job stores a file or finds it gone."""

from __future__ import annotations

from dataclasses import replace

import django_rq
import pytest

from connectors.base import MediaItem, MediaKind, ThreadKind
from inbox.events.wire import event_message
from inbox.media.jobs import fetch_media
from inbox.models import Conversation, InboxEvent, Media
from inbox.services import messages_ingest
from inbox.services.media_ingest import MEDIA_QUEUE
from tests.api.test_openapi import _validate
from tests.factories import inbound
from tests.media import media_support
from tests.media.media_support import jpeg_with_gps
from tests.media.test_media_serving import client_for

pytestmark = pytest.mark.django_db(transaction=True)
cdn = media_support.cdn
media_root = media_support.media_root
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture(autouse=True)
def _clean_queue():
    django_rq.get_queue(MEDIA_QUEUE).empty()
    yield
    django_rq.get_queue(MEDIA_QUEUE).empty()


@pytest.fixture
def schema(api):
    return api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def ingest(account, *items: MediaItem, body: str = "") -> Conversation:
    message = replace(inbound(thread="dm:7", body=body, kind=ThreadKind.PRIVATE), media=items)
    messages_ingest(account_id=account.pk, messages=[message])
    return Conversation.objects.get()


def media_of(api, conversation: Conversation) -> list[dict]:
    detail = api.get(f"/api/conversations/{conversation.pk}").json()
    return detail["messages"][0]["media"]


def test_a_stored_photo_is_listed_with_its_own_urls_alt_text_size_and_type(
    api, x_account, cdn, media_root, schema
):
    url = cdn.url(cdn.host.put("r.jpg", jpeg_with_gps(), "image/jpeg"))
    conversation = ingest(x_account, MediaItem(MediaKind.PHOTO, url, "Kvittering", "image/jpeg"))
    media = Media.objects.get()
    fetch_media(media.pk)
    media.refresh_from_db()

    [item] = media_of(api, conversation)

    assert item["kind"] == "photo"
    assert item["state"] == "stored"
    assert item["alt_text"] == "Kvittering"
    assert item["content_type"] == "image/jpeg"
    assert item["size"] == media.size == media.file.size
    assert item["url"] == f"/media/{media.pk}"
    assert item["thumbnail_url"] == f"/media/{media.pk}/thumbnail"
    assert item["download"] is False
    assert url not in str(item)  # never the platform's CDN link
    _validate(
        schema,
        "ConversationDetailResponse",
        api.get(f"/api/conversations/{conversation.pk}").json(),
    )


def test_pending_gone_link_and_download_only_media_each_say_what_they_are(
    api, agent, x_account, cdn, media_root, schema
):
    gone = cdn.host.put("gone.jpg", jpeg_with_gps(), "image/jpeg")
    cdn.host.expire("gone.jpg", status=410)
    svg = cdn.host.put("logo.svg", SVG, "image/svg+xml")
    conversation = ingest(
        x_account,
        MediaItem(MediaKind.VIDEO, "https://cdn.example/v.mp4"),
        MediaItem(MediaKind.PHOTO, cdn.url(gone)),
        MediaItem(MediaKind.SHARE, "https://skat.dk/frister", "Frister"),
        MediaItem(MediaKind.FILE, cdn.url(svg)),
        MediaItem(MediaKind.SHARE, "javascript:alert(1)"),
    )
    for media in Media.objects.filter(position__in=[1, 3]):
        fetch_media(media.pk)

    pending, unavailable, link, download, hostile = media_of(api, conversation)

    assert (pending["kind"], pending["state"], pending["url"]) == ("video", "pending", None)
    assert unavailable["state"] == "unavailable"
    assert (unavailable["reason_code"], unavailable["reason_detail"]) == ("gone", "HTTP 410")
    assert unavailable["reason"] == "The platform no longer has this file."
    assert unavailable["url"] is None
    assert (link["state"], link["link_url"], link["alt_text"]) == (
        "link",
        "https://skat.dk/frister",
        "Frister",
    )
    assert (download["content_type"], download["download"]) == ("image/svg+xml", True)
    assert download["thumbnail_url"] is None
    assert hostile["link_url"] is None  # only http(s) is ever a link
    pane = client_for(agent).get(f"/conversations/{conversation.pk}/pane").content.decode()
    assert 'href="https://skat.dk/frister"' in pane
    assert "javascript:" not in pane  # not in the thread either
    _validate(
        schema,
        "ConversationDetailResponse",
        api.get(f"/api/conversations/{conversation.pk}").json(),
    )


def logged() -> list[dict]:
    return [event_message(e) for e in InboxEvent.objects.order_by("seq")]


def test_the_schema_names_the_media_enums_once(schema):
    components = schema["components"]["schemas"]

    assert components["MediaKindEnum"]["enum"] == [k.value for k in MediaKind]
    assert components["MediaStateEnum"]["enum"] == ["pending", "stored", "unavailable", "link"]
    media = components["MediaOut"]["properties"]
    assert media["kind"]["$ref"].endswith("/MediaKindEnum")
    assert components["MessageOut"]["properties"]["media"]["items"]["$ref"].endswith("/MediaOut")


def test_the_inbox_hears_when_the_fetch_job_stores_the_photo(x_account, cdn, media_root):
    url = cdn.url(cdn.host.put("r.jpg", jpeg_with_gps(), "image/jpeg"))
    conversation = ingest(x_account, MediaItem(MediaKind.PHOTO, url))
    [received] = logged()
    assert received["messages"][0]["media"][0]["state"] == "pending"

    django_rq.get_worker(MEDIA_QUEUE).work(burst=True)  # the real fetch job, in its own process

    changed = logged()[-1]  # the durable log the live layer sends and replays
    assert changed["kind"] == "message.media_changed"
    assert changed["conversation"]["id"] == conversation.pk
    assert changed["conversation"]["version"] == received["conversation"]["version"]
    media = Media.objects.get()
    assert changed["media"]["id"] == media.pk
    assert changed["media"]["state"] == "stored"
    assert changed["media"]["thumbnail_url"] == f"/media/{media.pk}/thumbnail"


def test_the_inbox_hears_when_the_media_is_gone(x_account, cdn, media_root, published):
    path = cdn.host.put("gone.jpg", jpeg_with_gps(), "image/jpeg")
    cdn.host.expire("gone.jpg", status=404)
    ingest(x_account, MediaItem(MediaKind.PHOTO, cdn.url(path)))

    fetch_media(Media.objects.get().pk)

    assert published[-1]["kind"] == "message.media_changed"
    assert published[-1]["media"]["state"] == "unavailable"
    assert published[-1]["media"]["reason_code"] == "gone"
    assert published[-1]["media"]["reason_detail"] == "HTTP 404"
