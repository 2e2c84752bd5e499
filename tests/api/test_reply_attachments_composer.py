"""What the composer needs of reply attachments (docs/media.md "Media out"): a reply may be files
alone (its posted text is the signature), a file the channel has no room for is refused when it
is added, an unsent file can be removed (and leaves the storage), and a reply's message lists
its files in the REST answer and in the live ``reply.created`` event alike."""

from __future__ import annotations

import pytest

from connectors.base import ThreadKind
from inbox.events.wire import event_message
from inbox.media.storage import media_storage
from inbox.models import InboxEvent, Message, ReplyAttachment
from tests.api.test_reply_attachments_api import post_file, reply
from tests.conftest import api_client_for
from tests.factories import AgentFactory
from tests.media.media_support import media_root  # noqa: F401 - fixture
from tests.media.outbound_support import facebook_conversation, gif_bytes, image_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def attach(client, conversation, name="brev.jpg", data=None):  # noqa: ANN001
    response = post_file(client, conversation, name, data or image_bytes())
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def remove(client, conversation, attachment_id):  # noqa: ANN001
    return client.delete(f"/api/conversations/{conversation.pk}/attachments/{attachment_id}")


# 1. Files without text


def test_a_reply_of_files_alone_posts_the_signature_alone(api, conversation):
    photo = attach(api, conversation)

    response = reply(api, conversation, [photo], body="")

    assert response.status_code == 201, response.json()
    message = Message.objects.get(pk=response.json()["message"]["id"])
    assert (message.body, message.text) == ("", "/Mette")  # the agent's " /Mette", unpadded
    assert [a.pk for a in message.reply_attachments.all()] == [photo]


def test_files_alone_on_a_private_channel_still_carry_the_authors_name(team, manager):
    chat = facebook_conversation(team, ThreadKind.PRIVATE)  # Messenger: unsigned by default
    client = api_client_for(manager)  # no signature of her own
    photo = attach(client, chat)

    response = reply(client, chat, [photo], body="  \u200b ")

    assert response.status_code == 201, response.json()
    assert response.json()["message"]["text"] == "Venlig hilsen Maja Manager"


def test_a_reply_with_neither_text_nor_files_is_refused(api, conversation):
    response = reply(api, conversation, [], body=" ")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "reply_empty"
    assert "text or a file" in error["message"]
    assert not Message.objects.filter(direction="outbound").exists()


def test_a_reply_of_files_alone_naming_an_unknown_file_is_refused_and_stores_nothing(
    api, conversation
):
    response = reply(api, conversation, [987654], body="")

    assert response.status_code == 404
    assert not Message.objects.filter(direction="outbound").exists()


# 2. The channel's count, when a file is added


def test_a_fifth_photo_for_an_x_post_is_refused_when_added_naming_the_limit(api, conversation):
    for n in range(4):
        attach(api, conversation, f"{n}.jpg")
    stored = len(media_storage().listdir(f"outbound/{conversation.team_id}")[1])

    response = post_file(api, conversation, "5.jpg", image_bytes())

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "attachment_rejected"
    assert error["message"].startswith("A post on X carries at most 4 file(s)")
    assert error["details"]["limit"] == 4
    assert ReplyAttachment.objects.count() == 4
    assert len(media_storage().listdir(f"outbound/{conversation.team_id}")[1]) == stored


def test_a_photo_after_a_gif_is_refused_when_added(api, conversation):
    attach(api, conversation, "a.gif", gif_bytes())

    response = post_file(api, conversation, "b.jpg", image_bytes())

    assert response.status_code == 400
    assert "GIF or a video alone" in response.json()["error"]["message"]


def test_a_removed_file_makes_room_again(api, team):
    comment = facebook_conversation(team, ThreadKind.PUBLIC)  # one photo per comment
    first = attach(api, comment)
    assert post_file(api, comment, "2.jpg", image_bytes()).status_code == 400

    assert remove(api, comment, first).status_code == 204

    assert post_file(api, comment, "2.jpg", image_bytes()).status_code == 201


def test_a_sent_file_takes_no_room_in_the_next_reply(api, team):
    comment = facebook_conversation(team, ThreadKind.PUBLIC)
    assert reply(api, comment, [attach(api, comment)]).status_code == 201

    assert post_file(api, comment, "2.jpg", image_bytes()).status_code == 201


# 3. Removing a file not sent yet


def test_the_uploader_removes_a_file_and_it_leaves_the_storage_after_commit(
    api, conversation, django_capture_on_commit_callbacks
):
    photo = attach(api, conversation)
    name = ReplyAttachment.objects.get(pk=photo).file.name
    assert media_storage().exists(name)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = remove(api, conversation, photo)

    assert response.status_code == 204
    assert len(callbacks) == 1  # the file goes after the commit, never before
    assert not ReplyAttachment.objects.filter(pk=photo).exists()
    assert not media_storage().exists(name)
    listed = api.get(f"/api/conversations/{conversation.pk}/attachments").json()["results"]
    assert listed == []


def test_a_colleague_may_not_remove_an_agents_file_but_a_manager_of_the_team_may(
    api, team, conversation, manager
):
    photo = attach(api, conversation)
    colleague = AgentFactory(public_name="Kim Kollega", teams=[team])

    refused = remove(api_client_for(colleague), conversation, photo)

    assert refused.status_code == 403
    assert ReplyAttachment.objects.filter(pk=photo).exists()
    assert remove(api_client_for(manager), conversation, photo).status_code == 204


def test_a_file_a_reply_carries_cannot_be_removed(api, conversation):
    photo = attach(api, conversation)
    assert reply(api, conversation, [photo]).status_code == 201

    response = remove(api, conversation, photo)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "attachment_in_use"
    assert media_storage().exists(ReplyAttachment.objects.get(pk=photo).file.name)


def test_unknown_and_other_conversations_files_are_not_found(api, team, conversation):
    chat = facebook_conversation(team, ThreadKind.PRIVATE)
    theirs = attach(api, chat)

    assert remove(api, conversation, 987654).status_code == 404
    assert remove(api, conversation, theirs).status_code == 404  # not this conversation's
    assert ReplyAttachment.objects.filter(pk=theirs).exists()


def test_another_teams_agent_cannot_remove_the_file(api, conversation, outsider):
    photo = attach(api, conversation)

    response = remove(api_client_for(outsider), conversation, photo)

    assert response.status_code == 404
    assert ReplyAttachment.objects.filter(pk=photo).exists()


def test_the_removal_is_in_the_schema(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    route = schema["paths"]["/api/conversations/{conversation_id}/attachments/{attachment_id}"]

    assert "delete" in route
    assert {"204", "403", "404", "409"} <= set(route["delete"]["responses"])
    message = schema["components"]["schemas"]["MessageOut"]["properties"]
    assert message["attachments"]["items"]["$ref"].endswith("/AttachmentOut")


# 4. The reply's files, in the REST answer and the live event


def test_the_reply_created_event_lists_the_files_as_the_rest_api_does(api, conversation):
    ids = [attach(api, conversation, "a.jpg"), attach(api, conversation, "b.png")]

    answer = reply(api, conversation, ids, body="Her er brevene").json()

    created = [
        event_message(e) for e in InboxEvent.objects.order_by("seq")
        if event_message(e)["kind"] == "reply.created"
    ]  # fmt: skip
    assert [a["id"] for a in created[-1]["message"]["attachments"]] == ids
    detail = api.get(f"/api/conversations/{conversation.pk}").json()
    rest = [m for m in detail["messages"] if m["id"] == answer["message"]["id"]][0]
    assert created[-1]["message"]["attachments"] == rest["attachments"]
    assert answer["message"]["attachments"] == rest["attachments"]
    assert rest["attachments"][0] | {"created_at": None} == {
        "id": ids[0], "kind": "photo", "filename": "a.jpg", "content_type": "image/jpeg",
        "size": ReplyAttachment.objects.get(pk=ids[0]).size, "created_at": None,
        "uploaded_by_id": rest["author_agent"]["id"],
    }  # fmt: skip


def test_a_customers_message_lists_no_attachments(api, conversation):
    detail = api.get(f"/api/conversations/{conversation.pk}").json()

    assert detail["messages"][0]["attachments"] == []
