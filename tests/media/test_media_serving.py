"""Serving media: only to those who may see the conversation; images inline with their alt
text (escaped) and a thumbnail in the thread; anything that can carry script is a download."""

from __future__ import annotations

from dataclasses import replace

import django_rq
import pytest
from django.contrib.auth.models import User
from django.test import Client

from connectors.base import MediaItem, MediaKind, ThreadKind
from inbox.media.jobs import fetch_media
from inbox.models import Conversation, Media
from inbox.services import messages_ingest
from inbox.services.media_ingest import MEDIA_QUEUE
from tests.factories import inbound
from tests.media import media_support
from tests.media.media_support import jpeg_with_gps

pytestmark = pytest.mark.django_db(transaction=True)
cdn = media_support.cdn
media_root = media_support.media_root
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
ALT = 'Brev <img src=x onerror="alert(1)">'


@pytest.fixture(autouse=True)
def _clean_queue():
    django_rq.get_queue(MEDIA_QUEUE).empty()
    yield
    django_rq.get_queue(MEDIA_QUEUE).empty()


def stored(account, cdn, name: str, body: bytes, kind: MediaKind, alt: str = "") -> Media:
    url = cdn.url(cdn.host.put(name, body, "image/jpeg"))
    message = replace(
        inbound(thread="dm:5", body="", kind=ThreadKind.PRIVATE),
        media=(MediaItem(kind, url, alt, "", name),),
    )
    messages_ingest(account_id=account.pk, messages=[message])
    media = Media.objects.get(source_url=url)
    fetch_media(media.pk)
    media.refresh_from_db()
    return media


def client_for(agent) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=agent.user_id))  # the stored password's hash
    return client


def test_a_photo_is_served_inline_to_the_team_and_shown_in_the_thread_with_escaped_alt_text(
    x_account, agent, cdn, media_root
):
    media = stored(x_account, cdn, "a.jpg", jpeg_with_gps(), MediaKind.PHOTO, alt=ALT)
    client = client_for(agent)

    response = client.get(f"/media/{media.pk}")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "attachment" not in response.get("Content-Disposition", "")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    pane = client.get(f"/conversations/{Conversation.objects.get().pk}/pane").content.decode()
    assert f'src="/media/{media.pk}/thumbnail"' in pane
    assert "Brev &lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in pane
    assert 'onerror="alert(1)"' not in pane
    assert client.get(f"/media/{media.pk}/thumbnail")["Content-Type"] == "image/jpeg"


def test_an_svg_with_a_script_is_only_ever_a_download(x_account, agent, cdn, media_root):
    media = stored(x_account, cdn, "logo.svg", SVG, MediaKind.FILE)
    assert media.content_type == "image/svg+xml"

    response = client_for(agent).get(f"/media/{media.pk}")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_another_teams_agent_gets_no_media(x_account, outsider, cdn, media_root):
    media = stored(x_account, cdn, "a.jpg", jpeg_with_gps(), MediaKind.PHOTO)

    client = client_for(outsider)

    assert client.get(f"/media/{media.pk}").status_code == 404
    assert client.get(f"/media/{media.pk}/thumbnail").status_code == 404


def test_the_list_says_photo_for_a_message_that_is_only_a_photo(x_account, agent, cdn, media_root):
    stored(x_account, cdn, "a.jpg", jpeg_with_gps(), MediaKind.PHOTO)

    page = client_for(agent).get("/").content.decode()

    assert '<span class="snippet" data-field="snippet">Photo</span>' in page


def test_media_no_longer_available_says_so_in_the_thread(x_account, agent, cdn, media_root):
    path = cdn.host.put("gone.jpg", jpeg_with_gps(), "image/jpeg")
    cdn.host.expire("gone.jpg", status=404)
    message = replace(inbound(thread="dm:6", body="Se vedhæftet", kind=ThreadKind.PRIVATE),
                      media=(MediaItem(MediaKind.PHOTO, cdn.url(path)),))  # fmt: skip
    messages_ingest(account_id=x_account.pk, messages=[message])
    fetch_media(Media.objects.get().pk)

    pane = client_for(agent).get(f"/conversations/{Conversation.objects.get().pk}/pane")

    assert "Media no longer available." in pane.content.decode()
    assert "HTTP 404" in pane.content.decode()
