"""Files agents attach to replies: upload, list, and the reply that takes them.

Each refusal is a clear 4xx that names the rule the file breaks (docs/media.md "Media out")."""

from __future__ import annotations

import pytest

from connectors.base import ThreadKind
from inbox.models import Message, ReplyAttachment
from tests.conftest import api_client_for
from tests.media.media_support import media_root  # noqa: F401 - fixture
from tests.media.outbound_support import (
    facebook_conversation,
    gif_bytes,
    image_bytes,
    jpeg_with_gps_bytes,
    mp4_bytes,
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def post_file(client, conversation, name, data, claimed="application/octet-stream"):
    return client.post(
        f"/api/conversations/{conversation.pk}/attachments",
        {"file": upload(name, data, claimed)},
        format="multipart",
    )


def reply(client, conversation, ids, body="Se vedhæftet"):
    return client.post(
        f"/api/conversations/{conversation.pk}/reply",
        {"body": body, "attachment_ids": ids},
        format="json",
    )


def test_a_photo_is_stored_judged_by_its_bytes_and_listed_until_sent(api, conversation):
    response = post_file(api, conversation, "brev.png", image_bytes("PNG"), "text/plain")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["kind"], data["content_type"]) == ("photo", "image/png")
    assert data["filename"] == "brev.png"
    stored = ReplyAttachment.objects.get(pk=data["id"])
    assert stored.file.read()[:8] == b"\x89PNG\r\n\x1a\n"
    assert stored.size == data["size"] == stored.file.size
    listed = api.get(f"/api/conversations/{conversation.pk}/attachments").json()["results"]
    assert [a["id"] for a in listed] == [data["id"]]

    sent = reply(api, conversation, [data["id"]])

    assert sent.status_code == 201, sent.json()
    stored.refresh_from_db()
    assert stored.message_id == sent.json()["message"]["id"]
    assert api.get(f"/api/conversations/{conversation.pk}/attachments").json()["results"] == []


def test_an_agents_photo_loses_its_gps_position_before_it_is_posted(api, conversation):
    data = jpeg_with_gps_bytes()
    assert b"PhoneMaker" in data

    response = post_file(api, conversation, "kvittering.jpg", data, "image/jpeg")

    stored = ReplyAttachment.objects.get(pk=response.json()["id"])
    kept = stored.file.read()
    assert kept[:3] == b"\xff\xd8\xff"
    assert b"PhoneMaker" not in kept


@pytest.mark.parametrize(
    ("name", "data", "what"),
    [
        ("brev.jpg", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "text/html"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "image/svg+xml"),
        ("data.bin", b"\x00\x01\x02 nothing known", "application/octet-stream"),
    ],
)
def test_a_file_of_a_type_no_reply_carries_is_refused_naming_its_real_type(
    api, conversation, name, data, what
):
    response = post_file(api, conversation, name, data, "image/jpeg")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "attachment_rejected"
    assert what in error["message"]
    assert not ReplyAttachment.objects.exists()


def test_a_jpeg_that_does_not_decode_is_refused(api, conversation):
    response = post_file(api, conversation, "a.jpg", b"\xff\xd8\xff\xe0" + b"garbage" * 50)

    assert response.status_code == 400
    assert "could not be used" in response.json()["error"]["message"]


def test_a_file_over_the_uploads_limit_is_413(api, conversation, settings):
    settings.SVAR_ATTACHMENT_MAX_BYTES = 1000

    response = post_file(api, conversation, "big.png", image_bytes("PNG", (400, 400)))

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "attachment_too_large"


def test_a_photo_over_xs_5_mb_is_413_naming_the_channel(api, conversation):
    big = image_bytes("JPEG") + b"\x00" * (5 * 1024 * 1024)  # decodes, but weighs over 5 MB

    response = post_file(api, conversation, "big.jpg", big)

    assert response.status_code == 413
    error = response.json()["error"]
    assert "a post on X" in error["message"]
    assert "5.0" in error["message"]
    assert error["details"]["limit"] == 5 * 1024 * 1024


def test_a_facebook_comment_takes_a_photo_but_no_video(api, team):
    comment = facebook_conversation(team, ThreadKind.PUBLIC)

    assert post_file(api, comment, "foto.jpg", image_bytes()).status_code == 201
    response = post_file(api, comment, "film.mp4", mp4_bytes())

    assert response.status_code == 400
    assert "Facebook comment cannot carry" in response.json()["error"]["message"]


def test_a_facebook_comment_carries_one_photo(api, team, manager):
    comment = facebook_conversation(team, ThreadKind.PUBLIC)
    ids = [post_file(api, comment, "1.jpg", image_bytes()).json()["id"]]
    # A colleague's file is not in this agent's composer, so the upload takes it; the reply
    # that names both is still refused, by the same rule.
    ids.append(post_file(api_client_for(manager), comment, "2.jpg", image_bytes()).json()["id"])

    response = reply(api, comment, ids)

    assert response.status_code == 400
    assert "at most 1" in response.json()["error"]["message"]
    assert not Message.objects.filter(conversation=comment, direction="outbound").exists()


def test_messenger_takes_a_video_and_a_pdf_together(api, team):
    chat = facebook_conversation(team, ThreadKind.PRIVATE)
    ids = [
        post_file(api, chat, "film.mp4", mp4_bytes()).json()["id"],
        post_file(api, chat, "brev.pdf", b"%PDF-1.4\n" + b"0" * 100).json()["id"],
    ]

    response = reply(api, chat, ids)

    assert response.status_code == 201, response.json()
    message = Message.objects.get(pk=response.json()["message"]["id"])
    assert [a.kind for a in message.reply_attachments.order_by("position")] == ["video", "file"]


def test_an_x_post_carries_a_gif_alone(api, conversation, manager):
    ids = [
        post_file(api, conversation, "a.gif", gif_bytes()).json()["id"],
        post_file(api_client_for(manager), conversation, "b.jpg", image_bytes()).json()["id"],
    ]

    response = reply(api, conversation, ids)

    assert response.status_code == 400
    assert "alone" in response.json()["error"]["message"]


def test_an_attachment_goes_with_one_reply_only(api, conversation):
    attachment_id = post_file(api, conversation, "a.jpg", image_bytes()).json()["id"]
    assert reply(api, conversation, [attachment_id]).status_code == 201

    again = reply(api, conversation, [attachment_id], body="Igen")

    assert again.status_code == 409
    assert again.json()["error"]["code"] == "attachment_in_use"


def test_another_teams_attachment_is_not_found(api, conversation, outsider, other_team):
    attachment_id = post_file(api, conversation, "a.jpg", image_bytes()).json()["id"]
    theirs = facebook_conversation(other_team, ThreadKind.PRIVATE, thread="told-1")
    intruder = api_client_for(outsider)

    response = reply(intruder, theirs, [attachment_id], body="Tak")

    assert response.status_code == 404
    assert ReplyAttachment.objects.get(pk=attachment_id).message_id is None
    assert post_file(intruder, conversation, "b.jpg", image_bytes()).status_code == 404
    listed = intruder.get(f"/api/conversations/{conversation.pk}/attachments")
    assert listed.status_code == 404


def test_an_attachment_of_another_conversation_is_not_found(api, team, conversation):
    attachment_id = post_file(api, conversation, "a.jpg", image_bytes()).json()["id"]
    chat = facebook_conversation(team, ThreadKind.PRIVATE)

    assert reply(api, chat, [attachment_id]).status_code == 404


def test_an_upload_without_a_file_is_400(api, conversation):
    response = api.post(
        f"/api/conversations/{conversation.pk}/attachments", {"x": "1"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"]["fields"]["file"]
