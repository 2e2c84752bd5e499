"""The connector jobs against the simulated Instagram (Graph over real HTTP, real PostgreSQL):
polls store comment threads and DM conversations once, replies go out signed and at most once,
private replies once per comment, and refusals reach the agent without a retry loop."""

from __future__ import annotations

import logging

import pytest
from django.utils import translation

from connectors import jobs
from connectors.private_reply_jobs import send_private_reply
from inbox.exceptions import InvalidInput
from inbox.models import (
    AccountHealth,
    ChannelAccount,
    Conversation,
    DeliveryState,
    Message,
    PrivateReply,
)
from inbox.services import reply_create
from inbox.services.private_replies import private_reply_create
from tests.connectors import instagram_support
from tests.connectors.instagram_support import IG_ID, KIRSTEN, OLE, PAGE_ID, TOKEN, ago

instagram_server = instagram_support.instagram_server
instagram = instagram_support.instagram
pytestmark = pytest.mark.django_db(transaction=True)
CREDENTIAL = "SVAR_CREDENTIAL_INSTAGRAM_TEST"


@pytest.fixture
def account(instagram, team, monkeypatch) -> ChannelAccount:
    monkeypatch.setenv(CREDENTIAL, TOKEN)
    return ChannelAccount.objects.create(
        platform="instagram",
        display_name="@skattemor",
        handle="skattemor",
        external_id=IG_ID,
        team=team,
        credentials_ref=CREDENTIAL,
        base_url=instagram.base_url,
    )


def _poll(account: ChannelAccount) -> ChannelAccount:
    jobs.poll_account(account.pk)
    account.refresh_from_db()
    return account


def _comment_thread(instagram, account, *, days_ago: float = 0) -> tuple[dict, Conversation]:
    account.poll_cursor = {"ig_comments_since": ago(days=days_ago + 1).isoformat()}
    account.save(update_fields=["poll_cursor"])
    media = instagram.ig.add_media(IG_ID, "Husk fristen", timestamp=ago(days=days_ago + 1))
    comment = instagram.ig.add_comment(
        media["id"], KIRSTEN, "Gælder det mig?", timestamp=ago(days=days_ago, minutes=1)
    )
    _poll(account)
    return comment, Conversation.objects.get(kind="public")


def test_a_poll_stores_comment_threads_and_dm_conversations_exactly_once(instagram, account):
    media = instagram.ig.add_media(IG_ID, "Husk fristen 1. maj", timestamp=ago(hours=2))
    first = instagram.ig.add_comment(media["id"], KIRSTEN, "Gælder fristen også mig?")
    instagram.ig.add_comment(media["id"], OLE, "Samme spørgsmål", parent_id=first["id"])
    instagram.ig.add_dm(PAGE_ID, "6001", "jens.h", "Hej, mit CPR er ændret")

    account = _poll(account)
    account = _poll(account)

    assert Message.objects.count() == 3
    assert Conversation.objects.filter(kind="public").count() == 1  # the reply joins its thread
    assert Conversation.objects.filter(kind="private").count() == 1
    assert account.health == AccountHealth.HEALTHY
    assert set(Conversation.objects.values_list("contact__platform", flat=True)) == {"instagram"}


def test_a_public_reply_goes_out_once_under_the_comment_with_the_signature(
    instagram, account, agent
):
    agent.signatures = {"instagram": " /{name}"}
    agent.save(update_fields=["signatures"])
    _, conversation = _comment_thread(instagram, account)
    reply = reply_create(user=agent.user, conversation_id=conversation.pk, body="Ja, den gælder")

    assert jobs.deliver_reply(reply.pk).startswith("sent")
    assert jobs.deliver_reply(reply.pk) == "nothing to do"

    [sent] = instagram.sent()["comments"]
    assert sent["text"] == f"Ja, den gælder /{agent.public_name}"
    _poll(account)  # our own reply comes back in the next poll: known, not stored again
    assert conversation.messages.filter(direction="out").count() == 1


def test_a_private_reply_is_sent_once(instagram, account, agent):
    comment, conversation = _comment_thread(instagram, account)
    inbound = conversation.messages.get(external_id=comment["id"])

    private = private_reply_create(user=agent.user, message_id=inbound.pk, text="Skriv her")
    assert send_private_reply(private.pk).startswith("sent")
    assert send_private_reply(private.pk) == "nothing to do"

    assert [m["comment_id"] for m in instagram.sent()["messages"]] == [comment["id"]]


def test_a_private_reply_carries_the_signature_as_a_dm_does(instagram, account, agent):
    agent.signatures = {"instagram": " /{name}"}
    agent.save(update_fields=["signatures"])
    comment, conversation = _comment_thread(instagram, account)
    inbound = conversation.messages.get(external_id=comment["id"])

    private = private_reply_create(user=agent.user, message_id=inbound.pk, text="Skriv her")
    assert send_private_reply(private.pk).startswith("sent")

    [sent] = instagram.sent()["messages"]
    assert sent["text"] == f"Skriv her /{agent.public_name}"


def test_a_private_reply_counts_its_signature_against_the_dm_limit(instagram, account, agent):
    agent.signatures = {"instagram": " /{name}"}
    agent.save(update_fields=["signatures"])
    comment, conversation = _comment_thread(instagram, account)
    inbound = conversation.messages.get(external_id=comment["id"])

    with translation.override("en"), pytest.raises(InvalidInput, match="at most 1000 characters"):
        private_reply_create(user=agent.user, message_id=inbound.pk, text="x" * 995)
    assert not PrivateReply.objects.exists()
    assert private_reply_create(user=agent.user, message_id=inbound.pk, text="x" * 900)


def test_a_private_reply_after_seven_days_fails_clearly_once(instagram, account, agent):
    old, conversation = _comment_thread(instagram, account, days_ago=8)
    late = private_reply_create(
        user=agent.user, message_id=conversation.messages.get(external_id=old["id"]).pk, text="Hej"
    )
    assert send_private_reply(late.pk).startswith("failed")
    late.refresh_from_db()
    assert "window" in late.error.lower()
    assert send_private_reply(late.pk) == "nothing to do"  # no retry loop


def test_a_dm_after_the_window_fails_clearly_without_calling(instagram, account, agent):
    account.poll_cursor = {"instagram_since": ago(days=9).isoformat()}
    account.save(update_fields=["poll_cursor"])
    instagram.ig.add_dm(PAGE_ID, "6001", "jens.h", "Hej", timestamp=ago(days=8))
    _poll(account)
    conversation = Conversation.objects.get(kind="private")
    reply = reply_create(user=agent.user, conversation_id=conversation.pk, body="Undskyld")
    calls = len(instagram.app.requests)

    assert jobs.deliver_reply(reply.pk).startswith("failed")

    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.FAILED
    assert "7 days" in reply.delivery_error
    assert not [c for c in instagram.app.requests[calls:] if c.endswith("/messages")]


def test_a_reply_to_a_hidden_comment_fails_for_good(instagram, account, agent):
    comment, conversation = _comment_thread(instagram, account)
    instagram.ig.hide_comment(comment["id"])
    reply = reply_create(user=agent.user, conversation_id=conversation.pk, body="Hej")

    assert jobs.deliver_reply(reply.pk).startswith("failed")
    reply.refresh_from_db()
    assert "hidden" in reply.delivery_error
    assert jobs.deliver_reply(reply.pk) == "nothing to do"


def test_an_expired_token_marks_the_account_unhealthy(instagram, account):
    instagram.app.expire_token(TOKEN)

    account = _poll(account)

    assert account.health == AccountHealth.UNHEALTHY
    assert "token" in account.last_error.lower()


def test_a_malformed_comment_is_logged_with_its_payload_and_the_rest_stored(
    instagram, account, caplog
):
    media = instagram.ig.add_media(IG_ID, "Opslag", timestamp=ago(hours=1))
    instagram.ig.add_comment(media["id"], KIRSTEN, "Et fint spørgsmål")
    instagram.ig.add_malformed_comment(media["id"], {"id": "17999000", "text": "?", "from": OLE})

    with caplog.at_level(logging.WARNING, logger="connectors.jobs"):
        _poll(account)

    assert Message.objects.count() == 1
    assert "17999000" in caplog.text
