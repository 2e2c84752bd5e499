"""Hiding and unhiding a reply on X: asked through the API, applied by the moderation job
through tweepy's hide_reply / unhide_reply against the simulated X API over HTTP."""

from __future__ import annotations

import pytest

from connectors import jobs
from connectors.base import ModerationKind, ModerationRequest
from connectors.errors import PlatformRejected, RateLimited, TargetGone
from connectors.simulator import demo
from connectors.simulator.faults import FaultKind
from inbox.models import ChannelAccount, Message, ModerationAction, ModerationState
from tests.conftest import api_client_for
from tests.connectors.twitter_support import CUSTOMER, ME, OTHER

pytestmark = pytest.mark.django_db(transaction=True)
CREDENTIAL = "SVAR_CREDENTIAL_X_MODERATION_TEST"


@pytest.fixture
def account(x_sim, team, monkeypatch) -> ChannelAccount:
    monkeypatch.setenv(CREDENTIAL, demo.X_TOKEN)
    return ChannelAccount.objects.create(
        platform="x", display_name="@skattefar", external_id=ME, handle=demo.X_ACCOUNT_USERNAME,
        team=team, credentials_ref=CREDENTIAL, base_url=x_sim.base_url,
    )  # fmt: skip


@pytest.fixture
def reply(x_sim, account) -> dict:
    """A citizen's reply to the account's own announcement: a reply X lets the account hide."""
    announcement = x_sim.app.state.create_tweet(ME, "Selvangivelsen er åben")
    tweet = x_sim.app.add_mention(
        ME, CUSTOMER, "Køb billige følgere her", in_reply_to_tweet_id=announcement["id"]
    )
    jobs.poll_account(account.pk)
    return tweet


def _moderate(agent, message: Message, kind: str):
    return api_client_for(agent).post(
        f"/api/messages/{message.pk}/moderation", {"kind": kind}, format="json"
    )


def _hidden_on_x(x_sim, tweet_id: str) -> bool:
    return bool(x_sim.app.state.tweets[tweet_id].get("hidden"))


def test_an_agent_hides_a_reply_and_undoes_it(x_sim, reply, agent):
    message = Message.objects.get(external_id=reply["id"])

    hide = _moderate(agent, message, "hide")
    assert hide.status_code == 202, hide.json()
    assert jobs.moderate_message(hide.json()["id"]) == "hide done"
    assert _hidden_on_x(x_sim, reply["id"])

    unhide = _moderate(agent, message, "unhide")
    assert jobs.moderate_message(unhide.json()["id"]) == "unhide done"
    assert not _hidden_on_x(x_sim, reply["id"])
    assert x_sim.calls("/hidden") == [("PUT", f"/2/tweets/{reply['id']}/hidden")] * 2


def test_x_offers_no_delete(reply, manager):
    message = Message.objects.get(external_id=reply["id"])

    answer = _moderate(manager, message, "delete")

    assert answer.status_code == 400
    assert answer.json()["error"]["details"]["field"] == "kind"


def test_a_mention_that_does_not_answer_the_accounts_tweet_cannot_be_hidden(x_sim, account, agent):
    tweet = x_sim.app.add_mention(ME, OTHER, "@skattefar hjælp")  # starts its own conversation
    jobs.poll_account(account.pk)
    action_id = _moderate(agent, Message.objects.get(external_id=tweet["id"]), "hide").json()["id"]

    assert jobs.moderate_message(action_id).startswith("failed")

    action = ModerationAction.objects.get(pk=action_id)
    assert action.state == ModerationState.FAILED
    assert "conversations you authored" in action.platform_error
    assert not _hidden_on_x(x_sim, tweet["id"])


def test_hiding_a_deleted_reply_fails_with_a_clear_reason(x_sim, reply, agent):
    x_sim.app.delete_tweet(reply["id"])
    action_id = _moderate(agent, Message.objects.get(external_id=reply["id"]), "hide").json()["id"]

    assert jobs.moderate_message(action_id).startswith("failed")
    action = ModerationAction.objects.get(pk=action_id)
    assert "already deleted on the platform" in action.platform_error
    assert jobs.moderate_message(action_id) == "nothing to do"


def test_the_connector_maps_xs_answers(x_sim, reply):
    connector = x_sim.connector()
    hide = ModerationRequest(kind=ModerationKind.HIDE, external_id=reply["id"])

    connector.moderate(hide)
    connector.moderate(hide)  # hiding twice is harmless on X
    assert _hidden_on_x(x_sim, reply["id"])
    with pytest.raises(PlatformRejected):
        connector.moderate(ModerationRequest(kind=ModerationKind.DELETE, external_id=reply["id"]))
    x_sim.fault(FaultKind.RATE_LIMIT, path_prefix="/2/tweets", remaining=1)
    with pytest.raises(RateLimited):
        connector.moderate(hide)
    x_sim.app.delete_tweet(reply["id"])
    with pytest.raises(TargetGone):
        connector.moderate(hide)
