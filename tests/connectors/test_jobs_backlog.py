"""A backlog bigger than one fetch drains poll after poll, at once, with every message stored once.

The platforms are the simulators over real HTTP, PostgreSQL and Redis are real. Polls run
in-process (one after the other, as the queued successors would) and, in the last test, in a
real worker process, which must drain the backlog well within one poll interval.
"""

from __future__ import annotations

from datetime import timedelta

import django_rq
import pytest
from django.utils import timezone

from connectors import jobs
from connectors.base import FetchResult
from connectors.facebook.connector import CONVERSATIONS_PAGE_SIZE, MAX_PAGES, PAGE_SIZE
from connectors.simulator import demo
from connectors.twitter.connector import MAX_PAGES as X_MAX_PAGES
from connectors.twitter.connector import PAGE_SIZE as X_PAGE_SIZE
from inbox.models import ChannelAccount, Message
from inbox.services import accounts as account_services
from tests.connectors import facebook_support
from tests.connectors.facebook_support import KIRSTEN, PAGE_ID, TOKEN, ago
from tests.connectors.twitter_support import ME
from tests.connectors.worker_support import WorkerProcess, wait_for
from web.settings_webhooks import SVAR_X_POLL_MIN_SECONDS as X_POLL_MIN_SECONDS

graph_server = facebook_support.graph_server
graph = facebook_support.graph
pytestmark = pytest.mark.django_db(transaction=True)
X_CREDENTIAL = "SVAR_CREDENTIAL_X_BACKLOG_TEST"
FB_CREDENTIAL = "SVAR_CREDENTIAL_FACEBOOK_BACKLOG_TEST"
X_FETCH = X_PAGE_SIZE * X_MAX_PAGES  # mentions (and DMs) one fetch reads at most


@pytest.fixture
def queues(clean_queues: None) -> django_rq.queues.DjangoRQ:
    return django_rq.get_queue(jobs.POLL_QUEUE)


def _x_account(team, x_sim, monkeypatch, interval: int = 30) -> ChannelAccount:
    monkeypatch.setenv(X_CREDENTIAL, demo.X_TOKEN)
    return ChannelAccount.objects.create(
        platform="x", display_name="@skattefar", external_id=ME, handle=demo.X_ACCOUNT_USERNAME,
        team=team, credentials_ref=X_CREDENTIAL, base_url=x_sim.base_url,
        poll_interval_seconds=interval,
    )  # fmt: skip


def _customer(n: int) -> dict[str, str]:
    return {"id": str(7_000_000 + n), "username": f"kunde{n}", "name": f"Kunde {n}"}


def _stored_once(account: ChannelAccount, expected: set[str]) -> None:
    stored = list(Message.objects.filter(account=account).values_list("external_id", flat=True))
    assert len(stored) == len(set(stored)), "a message was stored twice"
    assert set(stored) == expected


def test_an_x_backlog_drains_in_consecutive_polls_queued_at_once(x_sim, team, monkeypatch, queues):
    account = _x_account(team, x_sim, monkeypatch)
    expected = {
        x_sim.app.add_mention(ME, _customer(n), f"Spørgsmål {n} om min skat")["id"]
        for n in range(2 * X_FETCH + 40)
    }
    expected |= {
        x_sim.app.add_dm(ME, _customer(n), f"Privat spørgsmål {n}")["id"]
        for n in range(X_FETCH + 10)
    }

    assert jobs.poll_account(account.pk) == f"stored {2 * X_FETCH}, 0 already known"
    account.refresh_from_db()
    assert account.next_poll_at <= timezone.now()  # due again at once, not in 30 s
    assert "mentions_until_id" in account.poll_cursor
    assert queues.job_ids == [f"poll-{account.pk}-more"]  # the successor, queued by the poll

    # A mention arriving while the backlog drains is newer than the backlog: the next regular
    # poll reads it.
    late = x_sim.app.add_mention(ME, _customer(9999), "Et nyt spørgsmål midt i det hele")
    polls = 1
    while account.next_poll_at <= timezone.now():
        jobs.poll_account(account.pk)
        account.refresh_from_db()
        polls += 1
        assert polls < 10

    assert polls == 3
    _stored_once(account, expected)
    assert set(account.poll_cursor) == {"mentions_since_id", "dm_newest_id"}
    # Drained: the next poll waits the adaptive pace (a burst's fastest, issue #20), not 0 s.
    assert account.next_poll_at > timezone.now() + timedelta(seconds=X_POLL_MIN_SECONDS - 2)
    assert jobs.poll_account(account.pk) == "stored 1, 0 already known"
    _stored_once(account, expected | {late["id"]})


def test_a_facebook_backlog_drains_in_consecutive_polls(graph, team, monkeypatch, queues):
    monkeypatch.setenv(FB_CREDENTIAL, TOKEN)
    page = ChannelAccount.objects.create(
        platform="facebook", display_name="Skattestyrelsen", external_id=PAGE_ID, team=team,
        credentials_ref=FB_CREDENTIAL, base_url=graph.base_url,
    )  # fmt: skip
    posts = [
        graph.app.add_post(PAGE_ID, f"Opslag {n}", created_time=ago(hours=30, minutes=-n))
        for n in range(PAGE_SIZE * MAX_PAGES + 20)
    ]
    expected = set()
    for n, post in enumerate(posts):
        for k in range(2):
            comment = graph.app.add_comment(
                post["id"], {"id": str(8000 + n), "name": f"Kunde {n}"}, f"Spørgsmål {n}.{k}",
                created_time=ago(hours=20, minutes=-n, seconds=-k),
            )  # fmt: skip
            expected.add(comment["id"])
    for n in range(CONVERSATIONS_PAGE_SIZE * MAX_PAGES + 30):
        expected.add(
            graph.app.add_messenger_message(
                PAGE_ID, str(9000 + n), f"Kunde {n}", "Hej, hvornår kommer pengene?",
                created_time=ago(hours=10, minutes=-n),
            )["id"]
        )  # fmt: skip

    first = jobs.poll_account(page.pk)
    page.refresh_from_db()
    assert not first.startswith(f"stored {len(expected)},")
    assert page.next_poll_at <= timezone.now()
    assert {"feed_after", "messenger_after"} <= set(page.poll_cursor)
    assert queues.job_ids == [f"poll-{page.pk}-more"]

    # A new comment on the oldest post, still in the unread part, lifts that post to the top
    # of the feed: it is read whole, its older comments included.
    bump = graph.app.add_comment(posts[0]["id"], KIRSTEN, "Er der nogen der svarer?")
    expected.add(bump["id"])
    polls = 1
    while page.next_poll_at <= timezone.now():
        jobs.poll_account(page.pk)
        page.refresh_from_db()
        polls += 1
        assert polls < 10

    assert polls == 2
    _stored_once(page, expected)
    assert set(page.poll_cursor) == {"feed_since", "messenger_since"}


def test_a_poll_out_of_budget_waits_for_the_reset_even_with_a_backlog(x_account):
    reset = timezone.now() + timedelta(minutes=7)
    result = FetchResult(
        messages=(), cursor={}, rate_limit_remaining=0, rate_limit_reset_at=reset,
        more_pending=True,
    )  # fmt: skip

    account_services.poll_result_apply(account_id=x_account.pk, result=result)

    x_account.refresh_from_db()
    assert x_account.next_poll_at == reset


@pytest.mark.slow
def test_a_worker_drains_a_backlog_well_within_one_poll_interval(x_sim, team, monkeypatch, queues):
    account = _x_account(team, x_sim, monkeypatch, interval=300)
    total = 3 * X_FETCH + 25
    for n in range(total):
        x_sim.app.add_mention(ME, _customer(n), f"Spørgsmål {n}")

    worker = WorkerProcess(jobs.POLL_QUEUE, jobs.DISPATCH_QUEUE, name="backlog",
                           env={X_CREDENTIAL: demo.X_TOKEN})  # fmt: skip
    try:
        # The first poll comes from the worker's dispatch; the three after it are successors.
        wait_for(
            lambda: Message.objects.filter(account=account).count() == total,
            timeout=60,  # a poll every 300 s would take 15 minutes
            what="the backlog to drain",
        )
    finally:
        worker.stop()
    stored = list(Message.objects.filter(account=account).values_list("external_id", flat=True))
    assert len(stored) == len(set(stored)) == total
    assert worker.output().count("more pending") == 3
