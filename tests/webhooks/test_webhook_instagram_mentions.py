"""Mentions of the Instagram account by webhook: the simulated Graph delivers Instagram's
``mentions`` field (``{media_id, comment_id}`` only) to Meta's one route, the drain looks the
caption or comment up on the account over HTTP and stores it as a public thread, and the
agent's answer goes back as a comment on that media through ``POST /{ig-user-id}/mentions``.
A mention on a media the account cannot read is logged and skipped, once."""

from __future__ import annotations

import logging

import pytest

from connectors import jobs
from connectors.errors import TargetGone
from connectors.instagram.mentions import MentionRef
from inbox.models import AccountHealth, Arrival, Conversation, Message, WebhookDelivery
from inbox.services import reply_create
from tests.connectors import instagram_support
from tests.connectors.instagram_support import IG_ID, IG_USERNAME
from tests.webhooks import test_webhook_instagram as comments_by_webhook
from tests.webhooks.support import meta_settings  # noqa: F401 (a fixture)

instagram_server = instagram_support.instagram_server
instagram = instagram_support.instagram
account = comments_by_webhook.account
captured = comments_by_webhook.captured
_relay = comments_by_webhook._relay
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("meta_settings", "clean_queues"),
]


def test_a_caption_mention_becomes_a_public_thread_answered_on_that_media(
    instagram, account, captured, agent
):
    agent.signatures = {"instagram": " /{name}"}
    agent.save(update_fields=["signatures"])
    mention = instagram.ig.mention(IG_ID, "lise.berg", f"Hvornår svarer @{IG_USERNAME} mig?")

    assert _relay(captured, 1) == "stored 1, 0 already known"

    conversation = Conversation.objects.get()
    assert conversation.kind == "public"
    assert conversation.external_thread_id == f"mention:{mention['media_id']}"
    assert conversation.contact.handle == "lise.berg"
    message = Message.objects.get()
    assert (message.external_id, message.arrival) == (mention["media_id"], Arrival.WEBHOOK)
    assert message.text == f"Hvornår svarer @{IG_USERNAME} mig?"

    reply = reply_create(user=agent.user, conversation_id=conversation.pk, body="I dag")
    assert jobs.deliver_reply(reply.pk).startswith("sent")
    [sent] = instagram.sent()["comments"]
    assert (sent["media_id"], sent["in_reply_to"]) == (mention["media_id"], None)
    assert (sent["text"], sent["mention"]) == (f"I dag /{agent.public_name}", True)


def test_a_comment_mention_is_answered_under_that_comment(instagram, account, captured, agent):
    media = instagram.app.world.instagram.add_foreign_media(
        "ole_s", "Min nye cykel", instagram.app.now()
    )
    mention = instagram.ig.mention(
        IG_ID, "kirsten.madsen", f"@{IG_USERNAME} kan jeg trække den fra?", media_id=media.id
    )

    assert _relay(captured, 1) == "stored 1, 0 already known"
    conversation = Conversation.objects.get()
    assert conversation.external_thread_id == f"mention:{media.id}:{mention['comment_id']}"
    assert Message.objects.get().external_id == mention["comment_id"]

    reply = reply_create(user=agent.user, conversation_id=conversation.pk, body="Nej, desværre")
    assert jobs.deliver_reply(reply.pk).startswith("sent")
    [sent] = instagram.sent()["comments"]
    assert (sent["media_id"], sent["in_reply_to"]) == (media.id, mention["comment_id"])


def test_a_mention_on_a_media_the_account_cannot_read_is_logged_once_and_skipped(
    instagram, account, captured, caplog
):
    instagram.ig.mention(IG_ID, "hemmelig", f"@{IG_USERNAME} se her", private=True)

    with caplog.at_level(logging.WARNING, logger="connectors.webhook_jobs"):
        assert _relay(captured, 1) == "stored 0, 0 already known"

    assert "cannot read" in caplog.text
    assert not Conversation.objects.exists()
    assert WebhookDelivery.objects.get().outcome == "stored 0, 0 already known"  # not failed
    account.refresh_from_db()
    assert account.health == AccountHealth.HEALTHY


def test_the_lookups_answer_wire_exact_over_http(instagram):
    connector = instagram.connector()
    caption = instagram.ig.mention(IG_ID, "lise.berg", f"Tak @{IG_USERNAME}!")
    found = connector.mention(MentionRef(caption["media_id"]))
    assert (found.body, found.author.handle, found.kind) == (
        f"Tak @{IG_USERNAME}!", "lise.berg", "public"
    )  # fmt: skip

    hidden = instagram.ig.mention(IG_ID, "hemmelig", f"@{IG_USERNAME} hej", private=True)
    with pytest.raises(TargetGone):
        connector.mention(MentionRef(hidden["media_id"]))
    with pytest.raises(TargetGone):  # a media that does not mention the account
        connector.mention(MentionRef(instagram.ig.mention(IG_ID, "x", "ingen omtale")["media_id"]))


def test_a_mention_author_is_suggested_for_merging_with_the_dm_contact_of_that_username(
    instagram, account, captured, agent, team
):
    """The mention lookups name no id (``mentioned_comment``: id, text, timestamp, like_count,
    media; ``mentioned_media``: the owner's username): the mention's author is ``@username``,
    the same person's DMs come from an IGSID. One profile per person: the two contacts are
    suggested for merging because their Instagram usernames are the same, whatever the case."""
    from inbox.models import Contact
    from inbox.selectors.customers import merge_suggestions
    from inbox.services.customer_profiles import contacts_merge

    instagram.ig.mention(IG_ID, "Lise.Berg", f"Hvornår svarer @{IG_USERNAME}?")
    assert _relay(captured, 1) == "stored 1, 0 already known"
    instagram.ig.add_dm(instagram_support.PAGE_ID, "7001", "lise.berg", "Jeg skrev også her")
    instagram.ig.add_dm(instagram_support.PAGE_ID, "7002", "lise.bergsen", "Ikke den samme")
    jobs.poll_account(account.pk)

    mentioned = Contact.objects.get(external_id="@Lise.Berg")
    by_dm = Contact.objects.get(external_id="7001")
    assert by_dm.handle == "lise.berg"

    found = {s.contact.pk: s.reason for s in merge_suggestions([team.pk], mentioned)}
    assert found[by_dm.pk] == "instagram_username"
    assert Contact.objects.get(external_id="7002").pk not in found
    back = {s.contact.pk: s.reason for s in merge_suggestions([team.pk], by_dm)}
    assert back == {mentioned.pk: "instagram_username"}

    contacts_merge(user=agent.user, contact_id=mentioned.pk, other_id=by_dm.pk)
    mentioned.refresh_from_db()
    assert not merge_suggestions([team.pk], mentioned)
