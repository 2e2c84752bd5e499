"""Drill: the simulated X API returns every fault at once (rate limits, HTML 503s, slow
answers, truncated JSON, a rejected token, repeated items), on reads and on posts. Polling and
delivery go on as the workers would run them (RQ's retries, the admin's reconnect, the agent's
retry of a failed reply) until every mention is stored once and every reply posted once."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from connectors import jobs
from connectors.simulator import demo
from connectors.simulator.faults import FaultKind
from inbox.models import AccountHealth, ChannelAccount, DeliveryState, Message
from inbox.services import reply_create
from inbox.services.accounts import account_reconnect, channel_account_create
from inbox.services.delivery import reply_retry
from tests.connectors.twitter_support import ME

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
MENTIONS = 1000  # ten pages: several polls, each through the faults
REPLIES = 12
DEADLINE_SECONDS = 120

# Every kind of fault, on reads (mentions, DMs, the timeline searched for uncertain replies)
# and on posts, each for a limited number of requests.
STORM = [
    (FaultKind.DUPLICATE_ITEMS, "/2/users", {"remaining": 3}),
    (FaultKind.RATE_LIMIT, "/2/users", {"remaining": 2, "reset_after_seconds": 1}),
    (FaultKind.SERVER_ERROR_HTML, "/2/users", {"remaining": 3}),
    (FaultKind.SLOW, "/2/dm_events", {"remaining": 3, "delay_seconds": 0.5}),
    (FaultKind.MALFORMED_JSON, "/2/users", {"remaining": 3}),
    (FaultKind.EXPIRED_TOKEN, "/2/dm_events", {"remaining": 1}),
    (FaultKind.SERVER_ERROR_HTML, "/2/tweets", {"remaining": 3}),
    (FaultKind.RATE_LIMIT, "/2/tweets", {"remaining": 1, "reset_after_seconds": 1}),
    (FaultKind.EXPIRED_TOKEN, "/2/tweets", {"remaining": 1}),
]


def test_every_fault_at_once_loses_and_duplicates_nothing(x_sim, team, agent, admin_agent):
    account = channel_account_create(
        platform="x", display_name="@skattefar", external_id=ME, team_name=team.name,
        token=demo.X_TOKEN, base_url=x_sim.base_url, poll_interval_seconds=5,
    )  # fmt: skip
    customer = {"id": "3001", "username": "kunde", "name": "Kirsten Madsen"}
    first = x_sim.app.add_mention(ME, customer, "Spørgsmål 0")
    assert jobs.poll_account(account.pk).startswith("stored 1")
    conversation_id = Message.objects.get().conversation_id
    for n in range(1, MENTIONS):
        x_sim.app.add_mention(ME, {**customer, "id": str(3001 + n)}, f"Spørgsmål {n}")
    replies = [
        reply_create(user=agent.user, conversation_id=conversation_id, body=f"Svar {n}")
        for n in range(REPLIES)
    ]
    for kind, prefix, options in STORM:
        x_sim.fault(kind, path_prefix=prefix, **options)

    started = time.monotonic()
    seen = Counter()
    while time.monotonic() - started < DEADLINE_SECONDS:
        account.refresh_from_db()
        if account.health == AccountHealth.UNHEALTHY:  # the token was "rejected": an admin
            account_reconnect(user=admin_agent.user, account_id=account.pk)  # renews it
            seen["reconnects"] += 1
        seen[_run(jobs.poll_account, account.pk).split(":")[0].split(" ")[0]] += 1
        for reply in Message.objects.filter(pk__in=[r.pk for r in replies]):
            if reply.delivery_state == DeliveryState.FAILED:  # the agent presses "retry"
                reply_retry(user=agent.user, message_id=reply.pk)
                seen["agent retries"] += 1
            if reply.delivery_state != DeliveryState.SENT:
                seen[_run(jobs.deliver_reply, reply.pk).split(" ")[0]] += 1
        account.refresh_from_db()
        faults_left = x_sim.server.simulator.faults.active()
        done = _stored() == MENTIONS and _sent(replies) == REPLIES
        if done and not faults_left and account.health == AccountHealth.HEALTHY:
            break
        time.sleep(0.2)  # a worker's pace, within X's 300 reads per 15 minutes
    elapsed = time.monotonic() - started

    external_ids = list(
        Message.objects.filter(direction="in").values_list("external_id", flat=True)
    )
    posted = [t["text"] for t in x_sim.app.posted_replies(ME)]
    print(
        f"\nfault storm: {MENTIONS} mentions and {REPLIES} replies through "
        f"{sum(o['remaining'] for *_, o in STORM)} faults in {elapsed:.1f} s; "
        f"faults left {len(x_sim.server.simulator.faults.active())}; outcomes {dict(seen)}"
    )
    assert not x_sim.server.simulator.faults.active(), "every fault was met"
    assert len(external_ids) == len(set(external_ids)) == MENTIONS
    assert first["id"] in external_ids
    assert sorted(posted) == sorted(r.text for r in replies)  # each posted exactly once
    assert _sent(replies) == REPLIES
    assert ChannelAccount.objects.get(pk=account.pk).health == AccountHealth.HEALTHY


def _run(job, arg: int) -> str:
    """A job as RQ runs it: an exception is a failed attempt that RQ will retry."""
    try:
        return job(arg)
    except Exception as error:  # noqa: BLE001 - RQ's view of any failure
        return f"raised {type(error).__name__}"


def _stored() -> int:
    return Message.objects.filter(direction="in").count()


def _sent(replies: list[Message]) -> int:
    return Message.objects.filter(
        pk__in=[r.pk for r in replies], delivery_state=DeliveryState.SENT
    ).count()
