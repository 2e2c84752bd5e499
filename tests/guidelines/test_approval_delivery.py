"""After approval the reply takes the one delivery path every reply takes (connectors.jobs
deliver_reply, tweepy against the simulated X API): posted once, signed by its author; and the
response-time metrics count the answer when it was approved, live and rebuilt alike."""

from __future__ import annotations

import pytest

from connectors import jobs
from connectors.simulator import demo
from inbox.metrics.rebuild import intervals_rebuild
from inbox.models import ChannelAccount, Conversation, ResponseInterval
from inbox.services import reply_create
from inbox.services.approval import reply_approve
from tests.connectors.twitter_support import CUSTOMER, ME
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db(transaction=True)
CREDENTIAL = "SVAR_CREDENTIAL_X_APPROVAL_TEST"


@pytest.fixture
def account(x_sim, team, monkeypatch) -> ChannelAccount:
    monkeypatch.setenv(CREDENTIAL, demo.X_TOKEN)
    return ChannelAccount.objects.create(
        platform="x", display_name="@skattefar", external_id=ME, handle=demo.X_ACCOUNT_USERNAME,
        team=team, credentials_ref=CREDENTIAL, base_url=x_sim.base_url,
    )  # fmt: skip


def intervals():
    return sorted(
        (i.kind, i.started_at, i.ended_at, i.agent_id) for i in ResponseInterval.objects.all()
    )


def test_an_approved_reply_is_posted_once_signed_by_its_author(x_sim, account, team, manager):
    new_agent = AgentFactory(
        public_name="Nina Ny", teams=[team], needs_approval=True, signatures={"x": " /Nina"}
    )
    x_sim.app.add_mention(ME, CUSTOMER, "Kan I hjælpe?")
    jobs.poll_account(account.pk)
    conversation = Conversation.objects.get()
    reply = reply_create(user=new_agent.user, conversation_id=conversation.pk, body="Ja")

    assert jobs.deliver_reply(reply.pk) == "nothing to do"  # waiting: never posted
    assert x_sim.app.posted_replies(ME) == []
    assert not ResponseInterval.objects.filter(ended_at__isnull=False).exists()

    approved = reply_approve(user=manager.user, message_id=reply.pk, revision=1, body="Ja, gerne")
    assert jobs.deliver_reply(reply.pk).startswith("sent")
    assert jobs.deliver_reply(reply.pk) == "nothing to do"

    (posted,) = x_sim.app.posted_replies(ME)
    assert posted["text"] == "Ja, gerne /Nina"
    first = ResponseInterval.objects.get(kind="first_response")
    assert first.ended_at == approved.platform_time  # answered when approved
    assert first.agent_id == new_agent.pk  # credited to the author
    live = intervals()
    ResponseInterval.objects.all().delete()
    intervals_rebuild()
    assert intervals() == live
