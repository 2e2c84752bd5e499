"""The thread view shows each public comment's moderation: hidden or deleted, by whom or by
which rule, and the one-click undo; only managers see Delete, and only where Facebook has it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from inbox.models import (
    AuditEntry,
    AutoModerationRule,
    ChannelAccount,
    Conversation,
    Message,
    ModerationAction,
    ModerationReason,
    ModerationState,
)
from inbox.services import messages_ingest
from tests.factories import inbound

pytestmark = pytest.mark.django_db


def _client(agent) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=agent.user_id))
    return client


@pytest.fixture
def page_comment(team) -> Message:
    account = ChannelAccount.objects.create(
        platform="facebook", display_name="Skattestyrelsen", external_id="100", team=team
    )
    messages_ingest(account_id=account.pk, messages=[inbound(thread="c1", external_id="c1")])
    return Message.objects.get(external_id="c1")


def _pane(agent, message: Message) -> str:
    conversation = Conversation.objects.get(pk=message.conversation_id)
    return _client(agent).get(f"/conversations/{conversation.pk}/pane").content.decode()


def _done(message: Message, kind: str, *, by=None, reason=ModerationReason.MANUAL) -> None:
    ModerationAction.objects.create(
        message=message, kind=kind, requested_by=by, reason=reason,
        state=ModerationState.DONE, created_at=timezone.now(), finished_at=timezone.now(),
    )  # fmt: skip


def test_a_comment_offers_hide_to_agents_and_delete_to_managers(page_comment, agent, manager):
    as_agent = _pane(agent, page_comment)
    assert 'data-kind="hide"' in as_agent
    assert 'data-kind="delete"' not in as_agent

    assert 'data-kind="delete"' in _pane(manager, page_comment)


def test_a_hidden_comment_names_who_hid_it_and_offers_undo(page_comment, agent, colleague):
    _done(page_comment, "hide", by=colleague)

    html = _pane(agent, page_comment)

    assert "Hidden by Lars Holm" in html
    assert 'data-kind="unhide"' in html
    assert "moderated-hidden" in html


def test_an_automatic_hide_names_its_rule(page_comment, agent):
    _done(page_comment, "hide", reason=ModerationReason.PERSONAL_NUMBER)

    assert "it contains a personal identity number" in _pane(agent, page_comment)


def test_a_deleted_comment_offers_nothing_more(page_comment, manager):
    _done(page_comment, "delete", by=manager)

    html = _pane(manager, page_comment)

    assert "Deleted by Maja Manager" in html
    assert 'data-action="moderate"' not in html


def test_a_failed_moderation_shows_the_platforms_reason(page_comment, agent):
    ModerationAction.objects.create(
        message=page_comment, kind="hide", requested_by=agent, state=ModerationState.FAILED,
        platform_error="The comment was already deleted on the platform.",
        created_at=timezone.now(),
    )  # fmt: skip

    assert "The comment was already deleted on the platform." in _pane(agent, page_comment)


def test_managers_set_the_rules_on_the_accounts_moderation_page(page_comment, manager, agent):
    account_id = page_comment.account_id
    url = f"/accounts/{account_id}/moderation"

    saved = _client(manager).post(url, {"hide_national_ids": "1", "hide_words": "spam\n køb "})

    assert saved.status_code == 302
    rule = AutoModerationRule.objects.get(account_id=account_id)
    assert rule.hide_national_ids is True
    assert rule.hide_words == ["køb", "spam"]
    assert AuditEntry.objects.filter(action="account.auto_moderation_set").count() == 1
    as_agent = _client(agent).get(url).content.decode()
    assert "National identity numbers are hidden." in as_agent
    assert 'name="hide_words"' not in as_agent  # read-only for agents
    assert _client(agent).post(url, {"hide_words": ""}).status_code == 403
    assert AutoModerationRule.objects.get(account_id=account_id).hide_words == ["køb", "spam"]


def test_another_teams_moderation_page_is_not_found(page_comment, outsider):
    url = f"/accounts/{page_comment.account_id}/moderation"

    assert _client(outsider).get(url).status_code == 404
    assert _client(outsider).post(url, {"hide_national_ids": "1"}).status_code == 404


def test_in_danish_the_rule_and_the_suggested_private_reply_are_danish(page_comment, agent):
    _done(page_comment, "hide", reason=ModerationReason.PERSONAL_NUMBER)
    client = _client(agent)
    conversation_id = page_comment.conversation_id

    html = client.get(f"/conversations/{conversation_id}/pane", HTTP_ACCEPT_LANGUAGE="da")

    text = html.content.decode()
    assert "Skjult automatisk: den indeholder et personnummer" in text
    assert "Hej Kirsten Madsen, vi har skjult din kommentar" in text
    assert "Fortryd: vis den igen" in text
