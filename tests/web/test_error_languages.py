"""Error messages a person reads come in their language (issue #18): the domain errors the
services raise, the API's own and DRF's validation messages, and the WebSocket's error frames,
in the agent's profile language (signed in by session or by token), else the browser's. Each
error is asked for in English and in Danish, Swedish and Norwegian: the answer must differ from
the English one and hold no English word Svar's catalogue knows (tests/web/english_left.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation
from rest_framework.authtoken.models import Token

from inbox.models import Agent, ChannelAccount, Conversation
from inbox.services import accounts as account_services
from tests.web.english_left import english_vocabulary, english_words
from tests.web.live import next_frame, opened, run, session_cookie

LANGUAGES = ("da", "sv", "nb")
TOO_LONG = "x" * 400  # over X's 280 weighted characters, signature included

# (what is asked, the error's code): domain errors of the services, parameter checks, DRF's
# validation, the API's own refusals.
CASES = [
    ("post", "/api/conversations/{missing}/reply", {"body": "Hej"}, "not_found"),
    ("get", "/api/conversations?status=bogus", None, "invalid"),
    ("get", "/api/conversations?assignee=someone", None, "invalid"),
    ("get", "/api/conversations?team=abc", None, "invalid"),
    ("post", "/api/conversations/{id}/reply", {"body": " \u200b "}, "reply_empty"),
    ("post", "/api/conversations/{id}/reply", {"body": TOO_LONG}, "reply_too_long"),
    ("post", "/api/conversations/{id}/status", {"status": "resolved", "version": 99}, None),
    ("post", "/api/conversations/{id}/status", {"status": "bogus"}, "invalid"),
    ("post", "/api/conversations/{id}/notes", {}, "invalid"),
    ("get", "/api/metrics/summary", None, "permission_denied"),
    ("get", "/api/audit", None, "permission_denied"),
    ("get", "/api/no-such-route", None, "not_found"),
]
# Words of the request itself that an answer may quote (field and parameter names, values).
QUOTED = {"body", "status", "assignee", "team", "bogus", "someone", "abc", "me", "unassigned"}
QUOTED |= {"unauthorized", "no", "such", "route", "everything"}
QUOTED |= {"open", "pending", "resolved", "snoozed"}  # the values a parameter takes


def _english_left(text: str, language: str) -> list[str]:
    words, whole = english_vocabulary(language)
    found = sorted((english_words(text) & words) - QUOTED)
    return found + ([text] if text in whole else [])


def _set_language(agent: Agent, language: str) -> None:
    agent.language = language
    agent.save(update_fields=["language"])


def _session(agent: Agent) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=agent.user_id))
    return client


def _ask(client: Client, case: tuple, conversation: Conversation, **headers: str) -> dict:
    method, path, body, code = case
    url = path.format(id=conversation.pk, missing=conversation.pk + 10_000)
    call = getattr(client, method)
    response = call(url, body, content_type="application/json", **headers) if body is not None \
        else call(url, **headers)  # fmt: skip
    assert 400 <= response.status_code < 500, (url, response.status_code)
    error = response.json()["error"]
    if code is not None:
        assert error["code"] == code, (url, error)
    return error


@pytest.fixture
def english(agent, conversation) -> dict[int, str]:
    """Each case's message in English, the reference the translations must differ from."""
    _set_language(agent, "en")
    client = _session(agent)
    return {i: _ask(client, case, conversation)["message"] for i, case in enumerate(CASES)}


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_api_errors_come_in_the_profile_language_of_a_session(
    agent, conversation, english, language
):
    _set_language(agent, language)
    client = _session(agent)
    problems = []
    for i, case in enumerate(CASES):
        # The browser asks for English: the profile wins.
        message = _ask(client, case, conversation, HTTP_ACCEPT_LANGUAGE="en")["message"]
        if message == english[i] or _english_left(message, language):
            problems.append(f"{case[1]}: {message!r} {_english_left(message, language)}")
    assert problems == []


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_api_errors_come_in_the_profile_language_of_a_token(agent, conversation, english, language):
    _set_language(agent, language)
    token = Token.objects.create(user=agent.user)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")
    problems = []
    for i, case in enumerate(CASES):
        message = _ask(client, case, conversation)["message"]
        if message == english[i] or _english_left(message, language):
            problems.append(f"{case[1]}: {message!r}")
    assert problems == []


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_an_anonymous_caller_is_answered_in_the_browsers_language(language):
    in_english = Client(HTTP_ACCEPT_LANGUAGE="en")
    client = Client(HTTP_ACCEPT_LANGUAGE=f"{language},en;q=0.5")
    for path in ("/api/me", "/api/no-such-route"):
        english_message = in_english.get(path).json()["error"]["message"]
        message = client.get(path).json()["error"]["message"]
        assert message != english_message
        assert _english_left(message, language) == []


@pytest.mark.django_db
def test_a_profile_language_svar_no_longer_offers_falls_back_to_the_browser(agent, conversation):
    _set_language(agent, "fi")
    client = _session(agent)
    swedish = _ask(client, CASES[0], conversation, HTTP_ACCEPT_LANGUAGE="sv")["message"]
    english = _ask(client, CASES[0], conversation, HTTP_ACCEPT_LANGUAGE="en")["message"]

    assert swedish == f"Konversation {conversation.pk + 10_000} hittades inte."
    assert english == f"Conversation {conversation.pk + 10_000} was not found."


FRAMES = [
    "{not json",
    '{"type": "subscribe_everything"}',
    '{"type": "hello", "teams": "all"}',
    '{"type": "presence", "conversation_id": 7, "state": "dancing"}',
    '{"type": "presence", "conversation_id": 999999, "state": "viewing"}',
]


def _ws_messages(agent: Agent) -> list[str]:
    cookie = session_cookie(agent.user)
    messages: list[str] = []

    async def scenario() -> None:
        socket = await opened(cookie)
        for frame in FRAMES:
            await socket.send_to(text_data=frame)
            error = await next_frame(socket)
            assert error["type"] == "error"
            messages.append(error["message"])
        await socket.disconnect()

    run(scenario)
    return messages


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("channel_prefix")
def test_websocket_error_frames_come_in_the_profile_language(agent):
    _set_language(agent, "en")
    english = _ws_messages(agent)
    for language in LANGUAGES:
        _set_language(agent, language)
        translated = _ws_messages(agent)
        for english_message, message in zip(english, translated, strict=True):
            assert message != english_message, (language, message)
            assert _english_left(message, language) == [], (language, message)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_svars_own_words_stored_on_an_account_are_translated_when_shown(x_account, language):
    account_services.account_auth_expired(account_id=x_account.pk, reason="401 Unauthorized")
    account = ChannelAccount.objects.get(pk=x_account.pk)

    with translation.override("en"):
        english = account.last_error_shown
    with translation.override(language):
        shown = account.last_error_shown
        reason = account.reconnect_reason_shown

    assert english == "Access token rejected: 401 Unauthorized"
    assert shown != english
    assert shown.endswith(": 401 Unauthorized")
    assert reason == shown
    assert _english_left(shown, language) == []
