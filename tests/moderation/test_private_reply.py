"""The suggested private reply: after a comment with a CPR number is hidden, the agent sends
the ready text privately to its author (Messenger's private reply to a comment; a DM on X),
once, through facebook-sdk and tweepy against the simulators over HTTP."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from connectors import jobs, private_reply_jobs
from connectors.simulator import demo
from inbox.models import AuditEntry, ChannelAccount, Conversation, Message, PrivateReply
from tests.conftest import api_client_for
from tests.connectors import facebook_support
from tests.connectors.facebook_support import KIRSTEN, PAGE_ID, TOKEN
from tests.connectors.twitter_support import CUSTOMER, ME

graph_server = facebook_support.graph_server
graph = facebook_support.graph
pytestmark = pytest.mark.django_db(transaction=True)
CREDENTIAL = "SVAR_CREDENTIAL_PRIVATE_REPLY_TEST"


@pytest.fixture
def page(graph, team, monkeypatch) -> ChannelAccount:
    monkeypatch.setenv(CREDENTIAL, TOKEN)
    return ChannelAccount.objects.create(
        platform="facebook", display_name="Skattestyrelsen", external_id=PAGE_ID, team=team,
        credentials_ref=CREDENTIAL, base_url=graph.base_url,
    )  # fmt: skip


@pytest.fixture
def cpr_comment(graph, page, manager) -> Message:
    rules = {"hide_national_ids": True, "hide_words": []}
    api_client_for(manager).put(f"/api/accounts/{page.pk}/auto-moderation", rules, format="json")
    post = graph.app.add_post(PAGE_ID, "Husk fristen 1. maj")
    comment = graph.app.add_comment(post["id"], KIRSTEN, "Mit CPR er 010190-1234, hjælp!")
    jobs.poll_account(page.pk)
    message = Message.objects.get(external_id=comment["id"])
    jobs.moderate_message(message.moderation_actions.get().pk)
    return message


def _send(agent, message: Message, text: str):
    return api_client_for(agent).post(
        f"/api/messages/{message.pk}/private-reply", {"text": text}, format="json"
    )


def test_the_agent_sees_the_suggestion_and_sends_it_privately_once(graph, cpr_comment, agent):
    client = Client()
    client.force_login(User.objects.get(pk=agent.user_id))
    pane = client.get(f"/conversations/{cpr_comment.conversation_id}/pane").content.decode()
    assert "it contains a personal identity number" in pane
    assert "Hello Kirsten Madsen, we have hidden your comment" in pane
    assert 'data-form="private-reply"' in pane

    answer = _send(agent, cpr_comment, "Hej Kirsten, skriv til os privat.")
    assert answer.status_code == 201, answer.json()
    assert private_reply_jobs.send_private_reply(answer.json()["id"]).startswith("sent as m_")
    assert private_reply_jobs.send_private_reply(answer.json()["id"]) == "nothing to do"

    (sent,) = graph.app.page_replies(PAGE_ID)["messages"]
    assert sent["comment_id"] == cpr_comment.external_id
    assert sent["recipient_id"] == KIRSTEN["id"]
    assert sent["text"] == "Hej Kirsten, skriv til os privat."
    assert _send(agent, cpr_comment, "Igen").status_code == 409  # one per comment
    assert AuditEntry.objects.filter(action="message.private_reply").count() == 1
    pane = client.get(f"/conversations/{cpr_comment.conversation_id}/pane").content.decode()
    assert "Private reply sent:" in pane


def test_a_retry_after_an_unknown_outcome_does_not_write_twice(graph, cpr_comment, agent):
    reply_id = _send(agent, cpr_comment, "Skriv til os privat.").json()["id"]
    assert private_reply_jobs.send_private_reply(reply_id).startswith("sent")
    # As if the worker had died after Graph took it, before the outcome was stored.
    PrivateReply.objects.filter(pk=reply_id).update(state="sending", started_at=timezone.now())

    assert private_reply_jobs.send_private_reply(reply_id) == "sent as the earlier attempt"
    assert len(graph.app.page_replies(PAGE_ID)["messages"]) == 1


def test_bad_private_replies_are_refused(graph, page, cpr_comment, agent, outsider):
    graph.app.add_messenger_message(PAGE_ID, "psid-1", "Per Hansen", "Hej")
    jobs.poll_account(page.pk)
    private = Message.objects.get(conversation__kind="private")

    assert _send(agent, cpr_comment, "   ").status_code == 400
    assert _send(agent, cpr_comment, "x" * 2001).status_code == 400
    assert _send(agent, private, "Hej").status_code == 400
    assert _send(outsider, cpr_comment, "Hej").status_code == 404
    assert not PrivateReply.objects.exists()


def test_a_comment_deleted_meanwhile_fails_clearly(graph, cpr_comment, agent):
    reply_id = _send(agent, cpr_comment, "Skriv til os privat.").json()["id"]
    graph.app.delete_comment(cpr_comment.external_id)

    assert private_reply_jobs.send_private_reply(reply_id).startswith("failed")
    assert "deleted on the platform" in PrivateReply.objects.get(pk=reply_id).error


def test_on_x_the_private_reply_is_a_dm_to_the_author(x_sim, team, agent, monkeypatch):
    monkeypatch.setenv(CREDENTIAL, demo.X_TOKEN)
    account = ChannelAccount.objects.create(
        platform="x", display_name="@skattefar", external_id=ME, handle=demo.X_ACCOUNT_USERNAME,
        team=team, credentials_ref=CREDENTIAL, base_url=x_sim.base_url,
    )  # fmt: skip
    tweet = x_sim.app.add_mention(ME, CUSTOMER, "Mit CPR er 010190-1234")
    jobs.poll_account(account.pk)
    message = Message.objects.get(external_id=tweet["id"])
    assert Conversation.objects.get().kind == "public"

    reply_id = _send(agent, message, "Skriv til os i en DM.").json()["id"]
    assert private_reply_jobs.send_private_reply(reply_id).startswith("sent as")
    PrivateReply.objects.filter(pk=reply_id).update(state="sending")
    assert private_reply_jobs.send_private_reply(reply_id).startswith(
        "sent as"
    )  # found, not resent

    (dm,) = x_sim.app.sent_dms(ME)
    assert dm["text"] == "Skriv til os i en DM."
    assert PrivateReply.objects.get(pk=reply_id).external_id == dm["id"]
