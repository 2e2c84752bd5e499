"""A worker SIGKILLed while Graph is deleting a comment: the survivor finishes the action
exactly once (done, not failed, not repeated). Real worker processes on the test database and
Redis; the simulated Graph API runs in this process on a real port."""

from __future__ import annotations

import pytest

from connectors import jobs
from connectors.simulator.faults import FaultKind
from inbox.models import ChannelAccount, InboxEvent, Message, ModerationAction, ModerationState
from inbox.services.moderation import message_moderate
from tests.connectors import facebook_support
from tests.connectors.facebook_support import KIRSTEN, PAGE_ID, TOKEN
from tests.connectors.worker_support import WorkerProcess, wait_for

graph_server = facebook_support.graph_server
graph = facebook_support.graph
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
CREDENTIAL = "SVAR_CREDENTIAL_FACEBOOK_MODERATION_CRASH"


def test_a_delete_killed_mid_call_is_done_exactly_once(graph, team, manager, clean_queues,
                                                       monkeypatch):  # fmt: skip
    monkeypatch.setenv(CREDENTIAL, TOKEN)
    page = ChannelAccount.objects.create(
        platform="facebook", display_name="Skattestyrelsen", external_id=PAGE_ID, team=team,
        credentials_ref=CREDENTIAL, base_url=graph.base_url,
    )  # fmt: skip
    post = graph.app.add_post(PAGE_ID, "Husk fristen 1. maj")
    comment = graph.app.add_comment(post["id"], KIRSTEN, "Spam spam spam")
    jobs.poll_account(page.pk)
    message = Message.objects.get(external_id=comment["id"])
    # The call hangs long enough to be killed mid-flight; Graph still deletes afterwards.
    graph.fault(FaultKind.SLOW, path=f"/v21.0/{comment['id']}", delay_seconds=4, remaining=1)
    env = {CREDENTIAL: TOKEN}

    victim = WorkerProcess(jobs.DELIVERY_QUEUE, env=env, name="moderation-victim")
    try:
        action = message_moderate(user=manager.user, message_id=message.pk, kind="delete")
        wait_for(lambda: f"DELETE /v21.0/{comment['id']}" in graph.calls(), timeout=60,
                 what="the delete to reach Graph")  # fmt: skip
        victim.kill()
    finally:
        victim.stop()
    assert ModerationAction.objects.get(pk=action.pk).state == ModerationState.SENDING
    wait_for(lambda: graph.app.world.comments[comment["id"]].deleted, timeout=10,
             what="Graph to finish the delete")  # fmt: skip

    survivor = WorkerProcess(env=env, name="moderation-survivor")
    try:
        wait_for(
            lambda: ModerationAction.objects.get(pk=action.pk).state == ModerationState.DONE,
            timeout=180,  # RQ re-queues a dead horse's job after its heartbeat lapses
            what="the killed moderation job to be retried",
        )
    finally:
        survivor.stop()

    done = ModerationAction.objects.get(pk=action.pk)
    assert done.attempts == 2
    assert done.platform_error == ""
    events = InboxEvent.objects.filter(kind="message.moderation_changed").order_by("seq")
    assert [e.payload["moderation"]["state"] for e in events] == ["queued", "done"]
