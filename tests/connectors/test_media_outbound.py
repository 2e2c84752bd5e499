"""Replies with files, delivered through the real connectors to the simulators over HTTP:
X media upload (one request for photos, chunked with processing for video) and posts or DMs
with media ids; a Facebook comment with a photo; Messenger attachments. Exactly once: a post
that fails after the upload reuses the upload, and nothing is posted twice."""

from __future__ import annotations

import hashlib

import pytest
from django.utils import timezone

from connectors import jobs
from connectors.errors import PlatformUnavailable
from connectors.simulator import demo
from connectors.simulator.faults import FaultKind
from inbox.models import ChannelAccount, Conversation, DeliveryState, Message, ReplyAttachment
from inbox.services import reply_create
from inbox.services.delivery import reply_retry
from inbox.services.reply_attachments import attachment_upload
from tests.connectors import facebook_support
from tests.connectors.facebook_support import KIRSTEN, PAGE_ID, TOKEN, ago
from tests.connectors.twitter_support import CUSTOMER, ME
from tests.media.media_support import media_root  # noqa: F401 - fixture
from tests.media.outbound_support import image_bytes, mp4_bytes, upload

graph_server = facebook_support.graph_server
graph = facebook_support.graph
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media_root")]


@pytest.fixture
def x_account(x_sim, team, monkeypatch) -> ChannelAccount:
    monkeypatch.setenv("SVAR_CREDENTIAL_X_MEDIA", demo.X_TOKEN)
    return ChannelAccount.objects.create(
        platform="x", display_name="@skattefar", external_id=ME, handle=demo.X_ACCOUNT_USERNAME,
        team=team, credentials_ref="SVAR_CREDENTIAL_X_MEDIA", base_url=x_sim.base_url,
    )  # fmt: skip


@pytest.fixture
def page(graph, team, monkeypatch) -> ChannelAccount:
    monkeypatch.setenv("SVAR_CREDENTIAL_FB_MEDIA", TOKEN)
    return ChannelAccount.objects.create(
        platform="facebook", display_name="Skattestyrelsen", external_id=PAGE_ID, team=team,
        credentials_ref="SVAR_CREDENTIAL_FB_MEDIA", base_url=graph.base_url,
    )  # fmt: skip


def _reply_with(agent, conversation, *files, body="Se vedhæftet") -> Message:
    ids = [
        attachment_upload(user=agent.user, conversation_id=conversation.pk, upload=upload(n, d)).pk
        for n, d in files
    ]
    return reply_create(
        user=agent.user, conversation_id=conversation.pk, body=body, attachment_ids=ids
    )


def _stored(message: Message) -> list[bytes]:
    return [a.file.read() for a in message.reply_attachments.order_by("position")]


def _x_conversation(x_sim, account, *, dm: bool = False) -> Conversation:
    if dm:
        x_sim.app.add_dm(ME, CUSTOMER, "Her er min sag")
    else:
        x_sim.app.add_mention(ME, CUSTOMER, "Kan I hjælpe?")
    jobs.poll_account(account.pk)
    return Conversation.objects.get()


def test_an_x_reply_with_a_photo_is_uploaded_once_and_posted_with_its_media_id(
    x_sim, x_account, agent
):
    conversation = _x_conversation(x_sim, x_account)
    reply = _reply_with(agent, conversation, ("brev.jpg", image_bytes()))

    assert jobs.deliver_reply(reply.pk).startswith("sent")

    (received,) = x_sim.app.uploads.received()
    assert (received["category"], received["media_type"]) == ("tweet_image", "image/jpeg")
    assert received["data"] == _stored(reply)[0]
    (posted,) = x_sim.app.posted_replies(ME)
    assert posted["text"].startswith("Se vedhæftet /Mette https://t.co/")  # as X writes it
    assert posted["attachments"] == {"media_keys": [f"3_{received['media_id']}"]}
    attachment = ReplyAttachment.objects.get(message=reply)
    assert attachment.platform_media_id == received["media_id"]


def test_a_video_dm_is_uploaded_in_chunks_and_waits_for_processing(x_sim, x_account, agent):
    conversation = _x_conversation(x_sim, x_account, dm=True)
    video = mp4_bytes(5 * 1024 * 1024 + 17)  # two 4 MiB segments
    reply = _reply_with(agent, conversation, ("film.mp4", video), body="Se videoen")

    assert jobs.deliver_reply(reply.pk).startswith("sent")

    (received,) = x_sim.app.uploads.received()
    assert (received["category"], received["state"]) == ("dm_video", "succeeded")
    assert hashlib.sha256(received["data"]).digest() == hashlib.sha256(video).digest()
    calls = x_sim.calls("/2/media/upload")
    assert [m for m, p in calls if p.endswith("/append")] == ["POST", "POST"]
    assert ("GET", "/2/media/upload") in calls  # STATUS until "succeeded"
    (sent,) = x_sim.app.sent_dms(ME)
    assert sent["attachments"] == {"media_keys": [f"7_{received['media_id']}"]}


def test_a_post_that_fails_after_the_upload_reuses_it_and_posts_once(x_sim, x_account, agent):
    conversation = _x_conversation(x_sim, x_account)
    reply = _reply_with(agent, conversation, ("brev.png", image_bytes("PNG")))
    x_sim.fault(FaultKind.MEDIA_POST_FAILS, remaining=1)

    with pytest.raises(PlatformUnavailable):  # RQ's Retry runs the job again
        jobs.deliver_reply(reply.pk)
    assert Message.objects.get(pk=reply.pk).delivery_state == DeliveryState.SENDING
    assert ReplyAttachment.objects.get(message=reply).platform_media_id
    assert x_sim.app.posted_replies(ME) == []

    assert jobs.deliver_reply(reply.pk).startswith("sent")

    assert len(x_sim.app.uploads.received()) == 1  # not uploaded again
    assert len(x_sim.app.posted_replies(ME)) == 1
    assert jobs.deliver_reply(reply.pk) == "nothing to do"


def test_an_upload_x_rejects_fails_the_reply_naming_the_file_and_a_retry_sends_it(
    x_sim, x_account, agent
):
    conversation = _x_conversation(x_sim, x_account)
    reply = _reply_with(agent, conversation, ("kvittering.jpg", image_bytes()))
    x_sim.fault(FaultKind.UPLOAD_REJECTED, remaining=1)

    assert jobs.deliver_reply(reply.pk).startswith("failed")

    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.FAILED
    assert "kvittering.jpg" in reply.delivery_error
    assert "media type unrecognized" in reply.delivery_error
    assert x_sim.app.posted_replies(ME) == []

    reply_retry(user=agent.user, message_id=reply.pk)
    assert jobs.deliver_reply(reply.pk).startswith("sent")
    assert len(x_sim.app.posted_replies(ME)) == 1


def test_an_x_media_id_older_than_a_day_is_uploaded_again(x_sim, x_account, agent):
    conversation = _x_conversation(x_sim, x_account)
    reply = _reply_with(agent, conversation, ("brev.jpg", image_bytes()))
    ReplyAttachment.objects.filter(message=reply).update(
        platform_media_id="1", uploaded_at=timezone.now() - timezone.timedelta(hours=30)
    )

    assert jobs.deliver_reply(reply.pk).startswith("sent")

    assert len(x_sim.app.uploads.received()) == 1
    assert ReplyAttachment.objects.get(message=reply).platform_media_id != "1"


def test_a_facebook_comment_reply_carries_an_unpublished_photo(graph, page, agent):
    post = graph.app.add_post(PAGE_ID, "Opslag")
    graph.app.add_comment(post["id"], KIRSTEN, "Hvad betyder brevet?")
    jobs.poll_account(page.pk)
    reply = _reply_with(agent, Conversation.objects.get(), ("svar.jpg", image_bytes()))

    assert jobs.deliver_reply(reply.pk).startswith("sent")

    (photo,) = graph.app.world.uploads.received()
    assert (photo["kind"], photo["data"]) == ("photo", _stored(reply)[0])
    (comment,) = graph.app.page_replies(PAGE_ID)["comments"]
    assert comment["attachment_id"] == photo["id"]
    assert comment["message"] == Message.objects.get(pk=reply.pk).text


def _messenger_conversation(graph, page) -> Conversation:
    page.poll_cursor = {"messenger_since": ago(days=1).isoformat()}
    page.save(update_fields=["poll_cursor"])
    graph.app.add_messenger_message(PAGE_ID, "psid-1", "Per Hansen", "Hej",
                                    created_time=ago(minutes=1))  # fmt: skip
    jobs.poll_account(page.pk)
    return Conversation.objects.get(kind="private")


def test_messenger_files_are_their_own_messages_before_the_text_each_posted_once(
    graph, page, agent
):
    conversation = _messenger_conversation(graph, page)
    reply = _reply_with(
        agent, conversation, ("foto.png", image_bytes("PNG")), ("brev.pdf", b"%PDF-1.4\n" * 20)
    )
    graph.fault(FaultKind.MEDIA_POST_FAILS, path=f"/v21.0/{PAGE_ID}/messages", remaining=1)

    with pytest.raises(PlatformUnavailable):
        jobs.deliver_reply(reply.pk)
    assert jobs.deliver_reply(reply.pk).startswith("sent")

    uploads = graph.app.world.uploads.received()
    assert [(u["kind"], u["filename"]) for u in uploads] == [
        ("image", "foto.png"),
        ("file", "brev.pdf"),
    ]
    sent = graph.app.page_replies(PAGE_ID)["messages"]
    assert [m.get("attachment_id") for m in sent] == [uploads[0]["id"], uploads[1]["id"], None]
    assert sent[-1]["text"] == Message.objects.get(pk=reply.pk).text
    posted = ReplyAttachment.objects.filter(message=reply).order_by("position")
    assert [a.platform_post_id for a in posted] == [m["message_id"] for m in sent[:2]]


def test_a_messenger_file_posted_by_an_attempt_that_died_is_found_not_posted_again(
    graph, page, agent
):
    conversation = _messenger_conversation(graph, page)
    reply = _reply_with(
        agent, conversation, ("a.png", image_bytes("PNG")), ("b.pdf", b"%PDF-1.4\n" * 20)
    )
    assert jobs.deliver_reply(reply.pk).startswith("sent")
    first, second = ReplyAttachment.objects.filter(message=reply).order_by("position")
    # As if the worker died after Graph took the second file, before its id was recorded and
    # before the text went out (the text is changed so that the search does not find it).
    ReplyAttachment.objects.filter(pk=second.pk).update(platform_post_id="")
    Message.objects.filter(pk=reply.pk).update(
        delivery_state=DeliveryState.SENDING, text="Teksten efter filerne"
    )

    assert jobs.deliver_reply(reply.pk).startswith("sent")

    sent = graph.app.page_replies(PAGE_ID)["messages"]
    assert [m.get("attachment_id") is not None for m in sent] == [True, True, False, False]
    assert ReplyAttachment.objects.get(pk=second.pk).platform_post_id == sent[1]["message_id"]
    assert len(graph.app.world.uploads.received()) == 2
