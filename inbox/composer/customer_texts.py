"""The texts Svar writes to customers (the handover note, the request to continue privately,
the private reply to a hidden comment) in every language Svar writes to customers. The composer
proposes the customer's language, which is not necessarily the agent's own (issue #18)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from inbox.automation.language import language_of
from inbox.models import Conversation

# Each named in its own language, as a language picker shows them.
CUSTOMER_LANGUAGES = {"da": "Dansk", "sv": "Svenska", "nb": "Norsk bokmål", "en": "English"}


# Fewer words than this say too little about their language (a name, "Tak!").
DETECT_MIN_WORDS = 4


def customer_language(conversation: Conversation, *, customer_words: str = "") -> str:
    """The language the customer wrote in (their words, when long enough to tell), else the
    conversation's team's customer language, else the installation's, else the agent's (the
    active language), else English."""
    detected = ""
    if len(customer_words.split()) >= DETECT_MIN_WORDS:
        detected = language_of(customer_words) or ""
    for candidate in (
        detected,
        conversation.team.customer_language,
        settings.SVAR_CUSTOMER_LANGUAGE,
        translation.get_language() or "",
    ):
        language = candidate.split("-")[0].lower()
        if language in CUSTOMER_LANGUAGES:
            return language
    return "en"


def customer_texts(*, customer_name: str) -> dict[str, dict[str, str]]:
    """{language: {text: wording}}; the handover note keeps %(name)s for the colleague the
    agent picks in the browser."""
    texts = {}
    for language in CUSTOMER_LANGUAGES:
        with translation.override(language):
            texts[language] = {
                "handover": _("My colleague %(name)s will take over from here."),
                "private_ask": _(
                    "Hi %(name)s, so we can help with your personal details safely, please "
                    "send us a private message."
                )
                % {"name": customer_name},
                "hidden_comment": hidden_comment_reply(name=customer_name),
            }
    return texts


def hidden_comment_reply(*, name: str) -> str:
    """The private reply offered to a customer whose comment was hidden for a personal number,
    in the language active."""
    return _(
        "Hello %(name)s, we have hidden your comment because it contained your personal "
        "identity number, to protect you. Please write to us here in a private message, and "
        "we will help you further."
    ) % {"name": name}
