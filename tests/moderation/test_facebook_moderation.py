"""Hiding, unhiding and deleting a Facebook Page comment: asked through the API, applied by the
moderation job through facebook-sdk against the simulated Graph API over HTTP.

Jobs run in-process here (test_moderation_worker_crash.py runs real workers)."""

from __future__ import annotations

from datetime import timedelta

import django_rq
import pytest
from django.utils import timezone
from rq.job import Job

from connectors import jobs
from connectors.simulator.faults import FaultKind
from inbox.models import (
    AuditEntry,
    ChannelAccount,
    Conversation,
    Message,
    ModerationAction,
    ModerationState,
)
from inbox.services import reply_create
from tests.conftest import api_client_for
from tests.connectors import facebook_support
from tests.connectors.facebook_support import KIRSTEN, PAGE_ID, TOKEN

graph_server = facebook_support.graph_server
graph = facebook_support.graph
pytestmark = pytest.mark.django_db(transaction=True)
CREDENTIAL = "SVAR_CREDENTIAL_FACEBOOK_MODERATION_TEST"


@pytest.fixture
def page(graph, team, monkeypatch) -> ChannelAccount:
    monkeypatch.setenv(CREDENTIAL, TOKEN)
    return ChannelAccount.objects.create(
        platform="facebook", display_name="Skattestyrelsen", external_id=PAGE_ID, team=team,
        credentials_ref=CREDENTIAL, base_url=graph.base_url,
    )  # fmt: skip


@pytest.fixture
def comment(graph, page) -> dict:
    """A citizen's comment under the Page's post, polled into the inbox."""
    post = graph.app.add_post(PAGE_ID, "Husk fristen 1. maj")
    comment = graph.app.add_comment(post["id"], KIRSTEN, "I er nogle idioter")
    jobs.poll_account(page.pk)
    return comment


def _message(comment: dict) -> Message:
    return Message.objects.get(external_id=comment["id"])


def _moderate(agent, message: Message, kind: str):
    return api_client_for(agent).post(
        f"/api/messages/{message.pk}/moderation", {"kind": kind}, format="json"
    )


def _comment_on_platform(graph, comment_id: str):
    return graph.app.world.comments[comment_id]


def test_an_agent_hides_a_comment_and_undoes_it(graph, comment, agent, published):
    message = _message(comment)

    answer = _moderate(agent, message, "hide")

    assert answer.status_code == 202, answer.json()
    assert answer.json()["state"] == "queued"
    assert answer.json()["requested_by"]["public_name"] == "Mette Jensen"
    assert not _comment_on_platform(graph, comment["id"]).hidden  # the worker has not run yet
    action_id = answer.json()["id"]
    assert jobs.moderate_message(action_id) == "hide done"
    assert jobs.moderate_message(action_id) == "nothing to do"  # a repeated job changes nothing
    assert _comment_on_platform(graph, comment["id"]).hidden
    standing = api_client_for(agent).get(f"/api/messages/{message.pk}/moderation").json()
    assert standing["hidden"] is True
    assert standing["last_done"]["requested_by"]["public_name"] == "Mette Jensen"

    undo = _moderate(agent, message, "unhide")
    assert undo.status_code == 202
    assert jobs.moderate_message(undo.json()["id"]) == "unhide done"
    assert not _comment_on_platform(graph, comment["id"]).hidden
    assert (
        api_client_for(agent).get(f"/api/messages/{message.pk}/moderation").json()["hidden"]
        is False
    )

    states = [
        (e["moderation"]["kind"], e["moderation"]["state"])
        for e in published
        if e["kind"] == "message.moderation_changed"
    ]
    assert states == [("hide", "queued"), ("hide", "done"), ("unhide", "queued"),
                      ("unhide", "done")]  # fmt: skip
    audited = AuditEntry.objects.filter(action="message.moderated", object_id=str(message.pk))
    assert sorted(e.details["kind"] for e in audited) == ["hide", "unhide"]
    assert {e.actor_id for e in audited} == {agent.pk}


def test_a_manager_deletes_a_comment_for_good(graph, comment, manager):
    message = _message(comment)

    answer = _moderate(manager, message, "delete")
    assert jobs.moderate_message(answer.json()["id"]) == "delete done"

    assert _comment_on_platform(graph, comment["id"]).deleted
    again = _moderate(manager, message, "unhide")
    assert again.status_code == 409  # a deleted comment cannot come back
    assert _moderate(manager, message, "hide").status_code == 409


def test_an_agent_may_not_delete(comment, agent):
    answer = _moderate(agent, _message(comment), "delete")

    assert answer.status_code == 403
    assert not ModerationAction.objects.exists()


def test_hiding_a_comment_the_platform_already_deleted_fails_once_with_a_clear_reason(
    graph, comment, agent
):
    graph.app.delete_comment(comment["id"])
    action_id = _moderate(agent, _message(comment), "hide").json()["id"]

    outcome = jobs.moderate_message(action_id)

    assert outcome.startswith("failed")
    action = ModerationAction.objects.get(pk=action_id)
    assert action.state == ModerationState.FAILED
    assert "already deleted on the platform" in action.platform_error
    assert action.attempts == 1
    assert jobs.moderate_message(action_id) == "nothing to do"  # no retry loop
    assert jobs.dispatch()["moderations"] == 0


def test_a_delete_retried_after_an_unknown_outcome_counts_gone_as_done(graph, comment, manager):
    action_id = _moderate(manager, _message(comment), "delete").json()["id"]
    # The first attempt reached Graph but its worker died before recording the outcome.
    ModerationAction.objects.filter(pk=action_id).update(
        state=ModerationState.SENDING, attempts=1, started_at=timezone.now()
    )
    graph.app.delete_comment(comment["id"])

    assert jobs.moderate_message(action_id) == "delete done"


def test_a_rate_limited_hide_waits_and_is_queued_again(graph, comment, agent, clean_queues):
    graph.fault(FaultKind.RATE_LIMIT, path=f"/v21.0/{comment['id']}", remaining=1)
    action_id = _moderate(agent, _message(comment), "hide").json()["id"]

    assert jobs.moderate_message(action_id) == "deferred until the rate limit resets"

    action = ModerationAction.objects.get(pk=action_id)
    assert action.state == ModerationState.QUEUED
    assert "rate limit" in action.platform_error
    assert not _comment_on_platform(graph, comment["id"]).hidden


def test_a_second_hide_while_one_is_in_flight_is_refused(comment, agent, colleague):
    message = _message(comment)
    assert _moderate(agent, message, "hide").status_code == 202

    answer = _moderate(colleague, message, "hide")

    assert answer.status_code == 409
    assert ModerationAction.objects.count() == 1


def test_messenger_messages_and_the_pages_own_replies_cannot_be_moderated(
    graph, page, comment, agent
):
    graph.app.add_messenger_message(PAGE_ID, "psid-1", "Per Hansen", "Hej")
    jobs.poll_account(page.pk)
    private = Message.objects.get(conversation__kind="private")
    conversation = Conversation.objects.get(kind="public")
    own = reply_create(user=agent.user, conversation_id=conversation.pk, body="Tak for din besked")

    for message in (private, own):
        answer = _moderate(agent, message, "hide")
        assert answer.status_code == 400, answer.json()
    assert not ModerationAction.objects.exists()


def test_unknown_messages_and_another_teams_messages_are_not_found(comment, outsider, agent):
    message = _message(comment)

    assert _moderate(outsider, message, "hide").status_code == 404
    assert api_client_for(outsider).get(f"/api/messages/{message.pk}/moderation").status_code == 404
    assert _moderate(agent, Message(pk=999999), "hide").status_code == 404
    assert _moderate(agent, message, "shred").status_code == 400
    assert not ModerationAction.objects.exists()


def test_a_lost_moderation_job_is_queued_again_by_the_workers_maintenance(
    comment, agent, clean_queues
):
    action_id = _moderate(agent, _message(comment), "hide").json()["id"]
    django_rq.get_connection("default").flushdb()  # the job is lost (Redis lost it, say)
    ModerationAction.objects.filter(pk=action_id).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )

    assert jobs.dispatch()["moderations"] == 1
    assert jobs.dispatch()["moderations"] == 0  # queued once, not again while it waits
    queued = Job.fetch(f"moderate-{action_id}", connection=django_rq.get_connection("delivery"))
    assert queued.args == (action_id,)
