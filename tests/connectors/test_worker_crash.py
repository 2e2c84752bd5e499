"""A worker SIGKILLed in the middle of a poll and of a delivery loses and duplicates nothing.

Real worker processes (with their work-horses) run against the test database and Redis; the
simulated X API runs in this process on a real port.
"""

from __future__ import annotations

import pytest

from connectors import jobs
from connectors.simulator import demo
from connectors.simulator.faults import FaultKind
from inbox.models import ChannelAccount, Conversation, DeliveryState, Message
from inbox.services import reply_create
from tests.connectors import twitter_support
from tests.connectors.twitter_support import CUSTOMER, ME
from tests.connectors.worker_support import WorkerProcess, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
CREDENTIAL = "SVAR_CREDENTIAL_X_CRASH_TEST"
MENTIONS = 60
REPLIES = 3


def test_killed_workers_resume_with_every_message_once_and_every_reply_posted_once(
    x_sim, team, agent, clean_queues, monkeypatch
):
    monkeypatch.setenv(CREDENTIAL, demo.X_TOKEN)
    account = ChannelAccount.objects.create(
        platform="x", display_name="@skattefar", external_id=ME, handle=demo.X_ACCOUNT_USERNAME,
        team=team, credentials_ref=CREDENTIAL, base_url=x_sim.base_url, poll_interval_seconds=5,
    )  # fmt: skip
    env = {CREDENTIAL: demo.X_TOKEN}
    # One conversation to answer, polled in before the crash drill.
    x_sim.app.add_mention(ME, CUSTOMER, "Hvornår kommer min årsopgørelse?")
    assert jobs.poll_account(account.pk).startswith("stored 1")
    conversation = Conversation.objects.get()
    replies = [
        reply_create(user=agent.user, conversation_id=conversation.pk, body=f"Svar nummer {n}")
        for n in range(REPLIES)
    ]
    for n in range(MENTIONS):
        x_sim.app.add_mention(ME, {**CUSTOMER, "id": str(5000 + n), "username": f"kunde{n}"},
                              f"Spørgsmål {n} om skat")  # fmt: skip
    # Both calls hang long enough to be killed mid-flight; the post still lands afterwards.
    x_sim.fault(FaultKind.SLOW, path_prefix="/2/users", delay_seconds=4, remaining=1)
    x_sim.fault(FaultKind.SLOW, path_prefix="/2/tweets", delay_seconds=4, remaining=1)

    poller = WorkerProcess(jobs.POLL_QUEUE, jobs.DISPATCH_QUEUE, env=env, name="poller")
    sender = WorkerProcess(jobs.DELIVERY_QUEUE, env=env, name="sender")
    try:
        for prefix, worker in (("/2/tweets", sender), ("/2/users", poller)):
            wait_for(lambda p=prefix: _taken(x_sim, p), timeout=60, what=f"a call to {prefix}")
            worker.kill()  # mid-call: the simulator is still holding the request
        assert Message.objects.filter(direction="in").count() == 1  # the killed poll stored nothing
        assert Message.objects.filter(delivery_state=DeliveryState.SENT).count() == 0

        survivor = WorkerProcess(env=env, name="survivor")
        try:
            wait_for(
                lambda: (
                    Message.objects.filter(direction="in").count() == MENTIONS + 1
                    and Message.objects.filter(delivery_state=DeliveryState.SENT).count() == REPLIES
                ),
                # RQ re-queues a dead horse's job after its heartbeat lapses, and a dead
                # scheduler's lock lapses after 61 s: well within three minutes.
                timeout=180,
                what="the killed jobs to be retried",
            )
        finally:
            survivor.stop()
    finally:
        poller.stop()
        sender.stop()

    external_ids = list(
        Message.objects.filter(direction="in").values_list("external_id", flat=True)
    )
    assert len(external_ids) == len(set(external_ids)) == MENTIONS + 1
    posted = x_sim.app.posted_replies(ME)
    assert sorted(t["text"] for t in posted) == sorted(r.text for r in replies)
    stored = Message.objects.filter(pk__in=[r.pk for r in replies])
    assert {m.external_id for m in stored} == {t["id"] for t in posted}
    # The killed attempt had reached X: the retry found the tweet instead of posting it again.
    assert sorted(m.delivery_attempts for m in stored) == [1, 1, 2]


def _taken(x_sim: twitter_support.XSim, prefix: str) -> bool:
    return all(f.path_prefix != prefix for f in x_sim.server.simulator.faults.active())
