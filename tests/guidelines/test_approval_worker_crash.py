"""Approval, then delivery, exactly once under a worker SIGKILL: a held reply is never posted
while workers run; once approved it takes the ordinary delivery job, and a worker killed in the
middle of the platform call leaves it posted once, signed by its author."""

from __future__ import annotations

import time

import pytest

from connectors import jobs
from connectors.simulator import demo
from connectors.simulator.faults import FaultKind
from inbox.models import ChannelAccount, Conversation, DeliveryState, Message
from inbox.services import reply_create
from inbox.services.approval import reply_approve
from tests.connectors.twitter_support import CUSTOMER, ME
from tests.connectors.worker_support import WorkerProcess, wait_for
from tests.factories import AgentFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
CREDENTIAL = "SVAR_CREDENTIAL_X_APPROVAL_CRASH_TEST"


def _taken(x_sim, prefix: str) -> bool:
    return all(f.path_prefix != prefix for f in x_sim.server.simulator.faults.active())


def test_an_approved_reply_is_posted_once_though_the_worker_dies_mid_call(
    x_sim, team, manager, clean_queues, monkeypatch
):
    monkeypatch.setenv(CREDENTIAL, demo.X_TOKEN)
    account = ChannelAccount.objects.create(
        platform="x", display_name="@skattefar", external_id=ME, handle=demo.X_ACCOUNT_USERNAME,
        team=team, credentials_ref=CREDENTIAL, base_url=x_sim.base_url, poll_interval_seconds=60,
    )  # fmt: skip
    new_agent = AgentFactory(teams=[team], needs_approval=True, signatures={"x": " /Nina"})
    x_sim.app.add_mention(ME, CUSTOMER, "Hvornår kommer min årsopgørelse?")
    assert jobs.poll_account(account.pk).startswith("stored 1")
    conversation = Conversation.objects.get()
    reply = reply_create(user=new_agent.user, conversation_id=conversation.pk, body="I marts")
    env = {CREDENTIAL: demo.X_TOKEN}

    sender = WorkerProcess(jobs.DELIVERY_QUEUE, jobs.DISPATCH_QUEUE, env=env, name="sender")
    try:
        time.sleep(4)  # maintenance passes run; the dispatcher re-queues nothing that waits
        assert x_sim.app.posted_replies(ME) == []
        assert Message.objects.get(pk=reply.pk).delivery_state == DeliveryState.AWAITING_APPROVAL

        x_sim.fault(FaultKind.SLOW, path_prefix="/2/tweets", delay_seconds=4, remaining=1)
        reply_approve(user=manager.user, message_id=reply.pk, revision=1)
        wait_for(lambda: _taken(x_sim, "/2/tweets"), timeout=60, what="the post to start")
        sender.kill()  # mid-call: the simulator is still holding the request
        survivor = WorkerProcess(env=env, name="survivor")
        try:
            wait_for(
                lambda: Message.objects.get(pk=reply.pk).delivery_state == DeliveryState.SENT,
                timeout=180,
                what="the killed delivery to be retried",
            )
        finally:
            survivor.stop()
    finally:
        sender.stop()

    (posted,) = x_sim.app.posted_replies(ME)
    assert posted["text"] == "I marts /Nina"
    assert Message.objects.get(pk=reply.pk).external_id == posted["id"]
