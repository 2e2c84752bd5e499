"""The connector jobs against the simulated X API: mentions and DMs in, replies out, faults."""

from __future__ import annotations

import logging

import pytest
from django.utils import timezone

from connectors import jobs
from connectors.simulator import demo
from connectors.simulator.faults import FaultKind
from inbox.models import AccountHealth, ChannelAccount, Conversation, DeliveryState, Message
from inbox.services import reply_create
from tests.connectors.twitter_support import CUSTOMER, ME

pytestmark = pytest.mark.django_db(transaction=True)
CREDENTIAL = "SVAR_CREDENTIAL_X_JOBS_TEST"


@pytest.fixture
def account(x_sim, team, monkeypatch) -> ChannelAccount:
    monkeypatch.setenv(CREDENTIAL, demo.X_TOKEN)
    return ChannelAccount.objects.create(
        platform="x", display_name="@skattefar", external_id=ME, handle=demo.X_ACCOUNT_USERNAME,
        team=team, credentials_ref=CREDENTIAL, base_url=x_sim.base_url,
    )  # fmt: skip


def test_mentions_and_dms_become_public_and_private_conversations(x_sim, account):
    first = x_sim.app.add_mention(ME, CUSTOMER, "Hvornår kommer forskudsopgørelsen?")
    x_sim.app.add_mention(ME, CUSTOMER, "Hallo?", conversation_id=first["conversation_id"],
                          in_reply_to_tweet_id=first["id"])  # fmt: skip
    x_sim.app.add_dm(ME, CUSTOMER, "Mit CPR-nummer er …")

    assert jobs.poll_account(account.pk).startswith("stored 3")

    public = Conversation.objects.get(kind="public")
    assert public.external_thread_id == first["conversation_id"]
    assert public.messages.count() == 2
    assert public.contact.handle == CUSTOMER["username"]
    assert Conversation.objects.get(kind="private").messages.count() == 1
    assert jobs.poll_account(account.pk).startswith("stored 0")


def test_a_public_reply_answers_the_latest_tweet_and_is_posted_once(x_sim, account, agent):
    tweet = x_sim.app.add_mention(ME, CUSTOMER, "Kan I hjælpe?")
    jobs.poll_account(account.pk)
    conversation = Conversation.objects.get()
    reply = reply_create(user=agent.user, conversation_id=conversation.pk, body="Ja, skriv DM")

    assert jobs.deliver_reply(reply.pk).startswith("sent")
    assert jobs.deliver_reply(reply.pk) == "nothing to do"

    (posted,) = x_sim.app.posted_replies(ME)
    assert posted["text"] == "Ja, skriv DM /Mette"
    assert posted["referenced_tweets"] == [{"type": "replied_to", "id": tweet["id"]}]
    reply.refresh_from_db()
    assert reply.external_id == posted["id"]


def test_a_dm_reply_goes_to_the_customer(x_sim, account, agent):
    x_sim.app.add_dm(ME, CUSTOMER, "Hej")
    jobs.poll_account(account.pk)
    reply = reply_create(
        user=agent.user, conversation_id=Conversation.objects.get().pk, body="Hej Mette"
    )

    jobs.deliver_reply(reply.pk)

    (sent,) = x_sim.app.sent_dms(ME)
    assert sent["text"] == "Hej Mette /Mette"
    assert Message.objects.get(pk=reply.pk).delivery_state == DeliveryState.SENT


def test_a_reply_to_a_deleted_tweet_fails_with_the_reason(x_sim, account, agent):
    tweet = x_sim.app.add_mention(ME, CUSTOMER, "Hjælp")
    jobs.poll_account(account.pk)
    reply = reply_create(user=agent.user, conversation_id=Conversation.objects.get().pk, body="Ok")
    x_sim.app.delete_tweet(tweet["id"])

    assert jobs.deliver_reply(reply.pk).startswith("failed")

    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.FAILED
    assert "deleted" in reply.delivery_error
    assert x_sim.app.posted_replies(ME) == []


def test_a_429_on_mentions_stops_polling_until_the_reset(x_sim, account):
    x_sim.fault(FaultKind.RATE_LIMIT, path_prefix="/2/users", reset_after_seconds=600)

    jobs.poll_account(account.pk)

    account.refresh_from_db()
    assert account.rate_limit_remaining == 0
    assert account.next_poll_at >= account.rate_limit_reset_at > timezone.now()
    calls = len(x_sim.calls())
    assert jobs.poll_account(account.pk).startswith("skipped: rate limited")
    assert len(x_sim.calls()) == calls


def test_an_expired_token_marks_the_account_unhealthy(x_sim, account):
    x_sim.fault(FaultKind.EXPIRED_TOKEN)

    assert jobs.poll_account(account.pk) == "paused: credentials rejected"

    account.refresh_from_db()
    assert account.health == AccountHealth.UNHEALTHY
    assert account.next_poll_at is None


def test_a_missing_credential_variable_is_reported_not_crashed(x_sim, account, monkeypatch):
    monkeypatch.delenv(CREDENTIAL)

    jobs.poll_account(account.pk)

    account.refresh_from_db()
    assert account.health == AccountHealth.UNHEALTHY
    assert CREDENTIAL in account.last_error


def test_a_malformed_mention_is_logged_raw_and_the_rest_stored(x_sim, account, caplog):
    x_sim.app.add_mention(ME, CUSTOMER, "Et godt spørgsmål")
    x_sim.app.add_malformed_mention(ME, {"id": "999", "text": "no author, no time"})

    with caplog.at_level(logging.WARNING, logger="connectors.jobs"):
        jobs.poll_account(account.pk)

    assert Message.objects.count() == 1
    assert "no author, no time" in caplog.text
