"""A worker SIGKILLed while it posts a reply with a photo: the photo was uploaded once, the
retry reuses its media id, and the reply is on X once, with its media."""

from __future__ import annotations

import pytest

from connectors import jobs
from connectors.simulator import demo
from connectors.simulator.faults import FaultKind
from inbox.models import ChannelAccount, Conversation, DeliveryState, Message, ReplyAttachment
from inbox.services import reply_create
from inbox.services.reply_attachments import attachment_upload
from tests.connectors.twitter_support import CUSTOMER, ME
from tests.connectors.worker_support import WorkerProcess, wait_for
from tests.media.media_support import media_root  # noqa: F401 - fixture
from tests.media.outbound_support import image_bytes, upload

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
CREDENTIAL = "SVAR_CREDENTIAL_X_MEDIA_CRASH"


def test_a_worker_killed_mid_post_leaves_one_upload_and_one_post(
    x_sim,
    team,
    agent,
    clean_queues,
    monkeypatch,
    media_root,  # noqa: F811
):
    monkeypatch.setenv(CREDENTIAL, demo.X_TOKEN)
    account = ChannelAccount.objects.create(
        platform="x", display_name="@skattefar", external_id=ME, handle=demo.X_ACCOUNT_USERNAME,
        team=team, credentials_ref=CREDENTIAL, base_url=x_sim.base_url,
    )  # fmt: skip
    x_sim.app.add_mention(ME, CUSTOMER, "Kan I sende et billede af blanketten?")
    jobs.poll_account(account.pk)
    conversation = Conversation.objects.get()
    # The post hangs long enough to be killed mid-flight; it still lands afterwards.
    x_sim.fault(FaultKind.SLOW, path_prefix="/2/tweets", delay_seconds=4, remaining=1)
    env = {CREDENTIAL: demo.X_TOKEN, "SVAR_MEDIA_ROOT": str(media_root)}
    sender = WorkerProcess(jobs.DELIVERY_QUEUE, env=env, name="media-sender")
    try:
        attachment = attachment_upload(
            user=agent.user, conversation_id=conversation.pk,
            upload=upload("blanket.jpg", image_bytes()),
        )  # fmt: skip
        reply = reply_create(user=agent.user, conversation_id=conversation.pk,
                             body="Her er blanketten", attachment_ids=[attachment.pk])  # fmt: skip
        wait_for(lambda: not x_sim.server.simulator.faults.active(), timeout=60,
                 what="the post to X")  # fmt: skip
        sender.kill()  # mid-call: the simulator still holds the request
        assert ReplyAttachment.objects.get(pk=attachment.pk).platform_media_id  # kept
        survivor = WorkerProcess(env=env, name="media-survivor")
        try:
            wait_for(
                lambda: Message.objects.get(pk=reply.pk).delivery_state == DeliveryState.SENT,
                timeout=180, what="the killed delivery to be retried",
            )  # fmt: skip
        finally:
            survivor.stop()
    finally:
        sender.stop()

    assert len(x_sim.app.uploads.received()) == 1
    (posted,) = x_sim.app.posted_replies(ME)
    (received,) = x_sim.app.uploads.received()
    assert posted["attachments"] == {"media_keys": [f"3_{received['media_id']}"]}
    stored = Message.objects.get(pk=reply.pk)
    assert stored.external_id == posted["id"]
    assert stored.delivery_attempts == 2  # the retry found the post instead of posting again
