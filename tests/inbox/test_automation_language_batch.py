"""What the automation rules cost ingest (issue #17, docs/performance.md): the language is
detected only for the conversations a rule needs it for, all of a batch's texts in one call,
each distinct text once; tags are created and linked in one statement. The outcome is the same
as detecting each text on its own."""

from __future__ import annotations

import logging
import threading
import time

import psycopg
import pytest
from django.db import connection, transaction

from inbox.automation import language
from inbox.automation.language import language_of, languages_of
from inbox.db.tag_links import tag_links_add
from inbox.models import AutomationRule, Conversation, InboxEvent, Tag
from inbox.services import automation_ingest, messages_ingest
from tests.factories import inbound

pytestmark = pytest.mark.django_db

SWEDISH = "Hej, när kommer min deklaration?"
DANISH = "Hej, hvornår kommer min årsopgørelse?"
NORWEGIAN = "Når kommer skattemeldingen min?"
ENGLISH = "When will my tax return arrive?"


@pytest.fixture
def detections(monkeypatch):
    """The texts each call of the ingest's language detection was given (the real detection
    still runs)."""
    calls: list[list[str]] = []

    def recording(texts):
        calls.append(list(texts))
        return languages_of(texts)

    monkeypatch.setattr(automation_ingest, "languages_of", recording)
    return calls


def rule(team, actions, conditions, trigger="customer_writes"):
    return AutomationRule.objects.create(
        team=team, name="r", trigger=trigger, conditions=conditions, actions=actions
    )


def tags_of(account, thread):
    conversation = Conversation.objects.get(account=account, external_thread_id=thread)
    return sorted(conversation.tags.values_list("name", flat=True))


def test_only_texts_whose_other_conditions_hold_are_detected_in_one_call(
    team, x_account, detections
):
    rule(team, {"tags": ["svensk faktura"]}, {"words": ["faktura"], "languages": ["sv"]})
    messages_ingest(
        account_id=x_account.pk,
        messages=[
            inbound(thread="se", author="c1", body="Min faktura är fel, när kommer en ny?"),
            inbound(thread="dk", author="c2", body="Min faktura er forkert, hvornår kommer en ny?"),
            inbound(thread="se2", author="c3", body=SWEDISH),  # no "faktura": not detected
            inbound(thread="en", author="c4", body=ENGLISH),
        ],
    )
    assert detections == [
        ["Min faktura är fel, när kommer en ny?", "Min faktura er forkert, hvornår kommer en ny?"]
    ]
    assert tags_of(x_account, "se") == ["svensk faktura"]
    assert tags_of(x_account, "dk") == tags_of(x_account, "se2") == []


def test_no_rule_naming_a_language_means_no_detection(team, x_account, detections):
    rule(team, {"tags": ["faktura"]}, {"words": ["faktura"]})
    rule(team, {"priority": "high"}, {"languages": ["sv"], "platforms": ["facebook"]})
    messages_ingest(account_id=x_account.pk, messages=[inbound(body="Min faktura er forkert")])
    assert detections == []
    assert tags_of(x_account, "thread-1") == ["faktura"]


def test_a_rule_for_new_conversations_detects_nothing_on_a_follow_up(team, x_account, detections):
    rule(team, {"tags": ["svensk"]}, {"languages": ["sv"]}, trigger="created")
    messages_ingest(account_id=x_account.pk, messages=[inbound(body=SWEDISH)])
    messages_ingest(account_id=x_account.pk, messages=[inbound(body="Och min deklaration?")])
    assert detections == [[SWEDISH]]
    assert tags_of(x_account, "thread-1") == ["svensk"]


def test_detection_that_fails_skips_the_language_rules_only(team, x_account, monkeypatch, caplog):
    def failing(texts):
        raise RuntimeError("models missing")

    monkeypatch.setattr(automation_ingest, "languages_of", failing)
    rule(team, {"tags": ["svensk"]}, {"languages": ["sv"]})
    rule(team, {"tags": ["deklaration"]}, {"words": ["deklaration"]})
    with caplog.at_level(logging.ERROR, logger="inbox.automation"):
        messages_ingest(account_id=x_account.pk, messages=[inbound(body=SWEDISH)])
    assert tags_of(x_account, "thread-1") == ["deklaration"]
    assert "language detection failed" in caplog.text


TEXTS = [SWEDISH, DANISH, NORWEGIAN, ENGLISH, "Jag har inte fått min lön", "123 !!!", "",
         "Jeg har ikke fått lønnen min", "Jeg har ikke fået min løn", DANISH, SWEDISH]  # fmt: skip


@pytest.mark.parametrize("parallel_from", [1, 100])  # Lingua's threads, and one by one
def test_a_batch_tells_each_text_as_it_would_alone(monkeypatch, parallel_from):
    alone = [language_of(text) for text in TEXTS]
    language._memo.clear()
    monkeypatch.setattr(language, "PARALLEL_FROM", parallel_from)
    assert languages_of(TEXTS) == alone == [
        "sv", "da", "nb", "en", "sv", None, None, "nb", "da", "da", "sv"
    ]  # fmt: skip


def test_each_distinct_text_is_detected_once_and_remembered(monkeypatch):
    asked: list[str] = []
    real = language._detector()

    class Counting:
        def detect_language_of(self, text):
            asked.append(text)
            return real.detect_language_of(text)

        def detect_languages_in_parallel_of(self, texts):
            asked.extend(texts)
            return real.detect_languages_in_parallel_of(texts)

    monkeypatch.setattr(language, "_detector", Counting)
    language._memo.clear()
    assert languages_of([DANISH, SWEDISH, DANISH]) == ["da", "sv", "da"]
    assert languages_of([SWEDISH, NORWEGIAN]) == ["sv", "nb"]
    assert asked == [DANISH, SWEDISH, NORWEGIAN]


def test_the_memory_of_texts_is_bounded(monkeypatch):
    monkeypatch.setattr(language, "MEMO_SIZE", 3)
    language._memo.clear()
    languages_of([DANISH, SWEDISH, NORWEGIAN, ENGLISH])
    assert list(language._memo) == [SWEDISH, NORWEGIAN, ENGLISH]


def test_a_long_text_is_told_by_its_beginning():
    danish = DANISH + " Jeg har prøvet at ringe, men køen var over en time. " * 12
    assert len(danish) > language.TEXT_MAX
    assert language_of(danish + " " + "Jag undrar när min deklaration kommer. " * 40) == "da"


def test_tags_are_created_and_linked_in_one_statement(team, x_account):
    messages_ingest(
        account_id=x_account.pk,
        messages=[inbound(thread="a"), inbound(thread="b", author="c2")],
    )
    a, b = Conversation.objects.filter(account=x_account).order_by("external_thread_id")
    Tag.objects.create(name="faktura")
    with transaction.atomic():
        tag_links_add([(a.pk, "faktura"), (a.pk, "ny"), (b.pk, "ny")])
        tag_links_add([(a.pk, "ny"), (b.pk, "haster")])  # a link already there is kept
    assert tags_of(x_account, "a") == ["faktura", "ny"]
    assert tags_of(x_account, "b") == ["haster", "ny"]
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["faktura", "haster", "ny"]
    link = a.conversationtag_set.get(tag__name="ny")  # the trigger copied the conversation
    assert (link.team_id, link.status) == (a.team_id, a.status)


@pytest.mark.django_db(transaction=True)
def test_a_tag_another_transaction_commits_meanwhile_is_still_linked(team, x_account):
    messages_ingest(account_id=x_account.pk, messages=[inbound(thread="a")])
    conversation = Conversation.objects.get(account=x_account)
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], password=settings["PASSWORD"],
        host=settings["HOST"], port=settings["PORT"] or 5432,
    )  # fmt: skip
    other.execute("INSERT INTO inbox_tag (name) VALUES ('samtidig')")  # not committed yet

    def commit_later():
        time.sleep(0.5)  # the statement below waits for this transaction's tag meanwhile
        other.commit()
        other.close()

    committer = threading.Thread(target=commit_later)
    committer.start()
    with transaction.atomic():
        tag_links_add([(conversation.pk, "samtidig")])
    committer.join()
    assert tags_of(x_account, "a") == ["samtidig"]
    assert Tag.objects.filter(name="samtidig").count() == 1


def test_the_event_of_a_new_conversation_carries_the_tags_the_rules_gave_it(team, x_account):
    rule(team, {"tags": ["svensk"]}, {"languages": ["sv"]})
    messages_ingest(
        account_id=x_account.pk,
        messages=[
            inbound(thread="se", author="c1", body=SWEDISH),
            inbound(thread="dk", author="c2"),
        ],
    )
    tags = {
        event.payload["conversation"]["id"]: event.payload["conversation"]["tags"]
        for event in InboxEvent.objects.all()
    }
    se, dk = (Conversation.objects.get(external_thread_id=t).pk for t in ("se", "dk"))
    assert tags == {se: ["svensk"], dk: []}  # seen live, not only after a reload


SHORT_TEXTS = {
    "Tak for hjælpen!": "da",
    "Hvor er min pakke?": "da",
    "Jeg venter stadig på svar.": "da",
    "Tack för hjälpen!": "sv",
    "Var är mitt paket?": "sv",
    "Jag väntar fortfarande på svar.": "sv",
    "Takk for hjelpen!": "nb",
    "Jeg venter fortsatt på svar.": "nb",
    "Thanks for the help!": "en",
    "Where is my parcel?": "en",
}


def test_short_scandinavian_texts_are_told_apart_among_the_four_languages_rules_name():
    """The detector's candidates are exactly the languages a rule may name (more would cost
    two to three times the CPU per text: docs/performance.md, third round)."""
    language._memo.clear()
    assert set(language.LANGUAGES) == {"da", "sv", "nb", "en"}
    assert {text: language_of(text) for text in SHORT_TEXTS} == SHORT_TEXTS
