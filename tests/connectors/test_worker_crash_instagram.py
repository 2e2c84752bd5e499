"""The SIGKILL drill for Instagram: a worker killed in the middle of an Instagram poll and of a
comment reply loses and duplicates nothing (real worker processes, the simulated Graph on a real
port, the test database and Redis)."""

from __future__ import annotations

import pytest

from connectors import jobs
from connectors.simulator.faults import FaultKind
from inbox.models import ChannelAccount, Conversation, DeliveryState, Message
from inbox.services import reply_create
from tests.connectors import instagram_support
from tests.connectors.instagram_support import IG_ID, KIRSTEN, TOKEN, ago
from tests.connectors.worker_support import WorkerProcess, wait_for

instagram_server = instagram_support.instagram_server
instagram = instagram_support.instagram
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
CREDENTIAL = "SVAR_CREDENTIAL_INSTAGRAM_CRASH_TEST"
COMMENTS = 60
REPLIES = 3


def test_killed_workers_resume_with_every_comment_once_and_every_reply_posted_once(
    instagram, team, agent, clean_queues, monkeypatch
):
    monkeypatch.setenv(CREDENTIAL, TOKEN)
    account = ChannelAccount.objects.create(
        platform="instagram", display_name="@skattemor", external_id=IG_ID, handle="skattemor",
        team=team, credentials_ref=CREDENTIAL, base_url=instagram.base_url,
        poll_interval_seconds=5,
    )  # fmt: skip
    env = {CREDENTIAL: TOKEN}
    ig = instagram.ig
    first = ig.add_media(IG_ID, "Husk fristen", timestamp=ago(hours=2))
    question = ig.add_comment(first["id"], KIRSTEN, "Hvornår kommer min årsopgørelse?")
    assert jobs.poll_account(account.pk).startswith("stored 1")
    conversation = Conversation.objects.get()
    replies = [
        reply_create(user=agent.user, conversation_id=conversation.pk, body=f"Svar nummer {n}")
        for n in range(REPLIES)
    ]
    busy = ig.add_media(IG_ID, "Nyt opslag", timestamp=ago(hours=1))
    for n in range(COMMENTS):
        ig.add_comment(busy["id"], {"id": str(5000 + n), "username": f"kunde{n}"},
                       f"Spørgsmål {n} om skat")  # fmt: skip
    # Both calls hang long enough to be killed mid-flight; the reply still lands afterwards.
    reads, writes = f"/v21.0/{busy['id']}/comments", f"/v21.0/{question['id']}/replies"
    instagram.fault(FaultKind.SLOW, reads, delay_seconds=4, remaining=1)
    instagram.fault(FaultKind.SLOW, writes, delay_seconds=4, remaining=1)

    poller = WorkerProcess(jobs.POLL_QUEUE, jobs.DISPATCH_QUEUE, env=env, name="ig-poller")
    sender = WorkerProcess(jobs.DELIVERY_QUEUE, env=env, name="ig-sender")
    try:
        for prefix, worker in ((writes, sender), (reads, poller)):
            wait_for(lambda p=prefix: _taken(instagram, p), timeout=60, what=f"a call to {prefix}")
            worker.kill()  # mid-call: the simulator is still holding the request
        assert Message.objects.filter(direction="in").count() == 1  # the killed poll stored nothing
        assert Message.objects.filter(delivery_state=DeliveryState.SENT).count() == 0

        survivor = WorkerProcess(env=env, name="ig-survivor")
        try:
            wait_for(
                lambda: (
                    Message.objects.filter(direction="in").count() == COMMENTS + 1
                    and Message.objects.filter(delivery_state=DeliveryState.SENT).count() == REPLIES
                ),
                timeout=180,  # RQ re-queues a dead horse's job after its heartbeat lapses
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
    assert len(external_ids) == len(set(external_ids)) == COMMENTS + 1
    posted = instagram.sent()["comments"]
    assert sorted(c["text"] for c in posted) == sorted(r.text for r in replies)
    stored = Message.objects.filter(pk__in=[r.pk for r in replies])
    assert {m.external_id for m in stored} == {c["id"] for c in posted}
    # The killed attempt had reached Instagram: the retry found the reply instead of posting again.
    assert sorted(m.delivery_attempts for m in stored) == [1, 1, 2]


def _taken(instagram: instagram_support.SimulatedInstagram, prefix: str) -> bool:
    return all(f.path_prefix != prefix for f in instagram.server.simulator.faults.active())
