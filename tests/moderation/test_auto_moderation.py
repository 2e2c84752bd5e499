"""Automatic moderation per account: a comment with the citizen's own national identity number
(Danish, Swedish, Norwegian) or a word on the account's list is hidden as it is read, by the
same job as an agent's hide; the rule is shown and one click undoes it. Managers set the rules
(audited); agents read them; another team's account does not exist."""

from __future__ import annotations

import pytest

from connectors import jobs
from inbox.models import (
    AuditEntry,
    AutoModerationRule,
    ChannelAccount,
    Message,
    ModerationAction,
    ModerationState,
)
from tests.conftest import api_client_for
from tests.connectors import facebook_support
from tests.connectors.facebook_support import KIRSTEN, OLE, PAGE_ID, TOKEN

graph_server = facebook_support.graph_server
graph = facebook_support.graph
pytestmark = pytest.mark.django_db(transaction=True)
CREDENTIAL = "SVAR_CREDENTIAL_FACEBOOK_AUTO_MODERATION_TEST"
NATIONAL_IDS = {
    "da": "Mit CPR-nummer er 010190-1234, hvornår får jeg svar?",
    "sv": "Mitt personnummer är 811218-9876, varför har jag inte fått besked?",
    "no": "Fødselsnummeret mitt er 15076500565, kan dere sjekke?",
}


@pytest.fixture
def page(graph, team, monkeypatch) -> ChannelAccount:
    monkeypatch.setenv(CREDENTIAL, TOKEN)
    return ChannelAccount.objects.create(
        platform="facebook", display_name="Skattestyrelsen", external_id=PAGE_ID, team=team,
        credentials_ref=CREDENTIAL, base_url=graph.base_url,
    )  # fmt: skip


def _set_rules(manager, page, **body):
    return api_client_for(manager).put(
        f"/api/accounts/{page.pk}/auto-moderation",
        {"hide_national_ids": True, "hide_words": [], **body},
        format="json",
    )


def _run_queued_moderation() -> None:
    for action in ModerationAction.objects.filter(state=ModerationState.QUEUED):
        jobs.moderate_message(action.pk)


def test_comments_with_nordic_national_ids_are_hidden_as_they_are_read(graph, page, manager):
    assert _set_rules(manager, page).status_code == 200
    post = graph.app.add_post(PAGE_ID, "Husk fristen 1. maj")
    comments = {lang: graph.app.add_comment(post["id"], KIRSTEN, text)
                for lang, text in NATIONAL_IDS.items()}  # fmt: skip
    clean = graph.app.add_comment(post["id"], OLE, "Hvornår åbner årsopgørelsen? Ordre 12345678")

    jobs.poll_account(page.pk)
    _run_queued_moderation()

    for comment in comments.values():
        action = ModerationAction.objects.get(message__external_id=comment["id"])
        assert (action.kind, action.reason, action.state) == ("hide", "personal_number", "done")
        assert action.requested_by is None
        assert graph.app.world.comments[comment["id"]].hidden
    assert not ModerationAction.objects.filter(message__external_id=clean["id"]).exists()
    assert not graph.app.world.comments[clean["id"]].hidden


def test_a_word_on_the_list_hides_a_comment_and_one_click_undoes_it(graph, page, manager, agent):
    _set_rules(manager, page, hide_national_ids=False, hide_words=["køb følgere", "IDIOT"])
    post = graph.app.add_post(PAGE_ID, "Husk fristen 1. maj")
    spam = graph.app.add_comment(post["id"], OLE, "Køb Følgere billigt her!")
    rude = graph.app.add_comment(post["id"], OLE, "I er idioter")  # not the whole word
    cpr = graph.app.add_comment(post["id"], KIRSTEN, NATIONAL_IDS["da"])  # that rule is off

    jobs.poll_account(page.pk)
    _run_queued_moderation()

    action = ModerationAction.objects.get()
    assert action.message.external_id == spam["id"]
    assert action.reason == "word_list"
    assert graph.app.world.comments[spam["id"]].hidden
    assert not graph.app.world.comments[rude["id"]].hidden
    assert not graph.app.world.comments[cpr["id"]].hidden

    message = Message.objects.get(external_id=spam["id"])
    undo = api_client_for(agent).post(
        f"/api/messages/{message.pk}/moderation", {"kind": "unhide"}, format="json"
    )
    assert undo.status_code == 202
    assert jobs.moderate_message(undo.json()["id"]) == "unhide done"
    assert not graph.app.world.comments[spam["id"]].hidden


def test_without_rules_nothing_is_hidden(graph, page):
    post = graph.app.add_post(PAGE_ID, "Husk fristen 1. maj")
    graph.app.add_comment(post["id"], KIRSTEN, NATIONAL_IDS["da"])

    jobs.poll_account(page.pk)

    assert not ModerationAction.objects.exists()


def test_managers_set_the_rules_agents_read_them_and_changes_are_audited(page, manager, agent):
    answer = _set_rules(manager, page, hide_words=["  spam ", "spam", "svindel"])

    assert answer.status_code == 200
    assert answer.json()["hide_words"] == ["spam", "svindel"]
    assert answer.json()["updated_by"]["public_name"] == "Maja Manager"
    read = api_client_for(agent).get(f"/api/accounts/{page.pk}/auto-moderation").json()
    assert read["hide_national_ids"] is True
    entry = AuditEntry.objects.get(action="account.auto_moderation_set")
    assert entry.actor_id == manager.pk
    assert entry.details["after"]["hide_words"] == ["spam", "svindel"]

    refused = _set_rules(agent, page, hide_national_ids=False)
    assert refused.status_code == 403
    assert AutoModerationRule.objects.get().hide_national_ids is True


@pytest.mark.parametrize(
    "body",
    [
        {"hide_national_ids": "yes"},
        {"hide_words": "spam"},
        {"hide_words": [1, 2]},
        {"hide_words": [f"word{n}" for n in range(201)]},
        {"hide_words": ["x" * 101]},
    ],
)
def test_bad_rules_are_refused(page, manager, body):
    answer = _set_rules(manager, page, **body)

    assert answer.status_code == 400
    assert not AutoModerationRule.objects.exists()


def test_another_teams_account_is_not_found(page, outsider):
    client = api_client_for(outsider)

    assert client.get(f"/api/accounts/{page.pk}/auto-moderation").status_code == 404
    assert _set_rules(outsider, page).status_code == 404
