"""Every rule kind, in Danish, Swedish, Norwegian and English text: each hit names the rule and
the words it matched. Pure: the evaluator gets rules as plain values."""

from __future__ import annotations

import time

import pytest

from inbox.guidelines.evaluate import evaluate
from inbox.guidelines.matching import PATTERN_TIME_LIMIT
from inbox.guidelines.rules import RuleSpec, default_rules


def rule(kind, action="block", **fields):
    return RuleSpec(1, "Reglen", kind, action, **fields)


def matched(rules, text, *, public=True, tags=frozenset()):
    verdict = evaluate(rules, text=text, public=public, tags=set(tags))
    return [m.text for hit in verdict.hits for m in hit.matches]


WORDS = rule("words", words=("forretningshemmelighed", "Projekt Ørnen", "åtgärd", "fødsel", "leak"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Det er en FORRETNINGSHEMMELIGHED.", ["FORRETNINGSHEMMELIGHED"]),  # Danish, any case
        ("Vi venter på projekt  ørnen i år.", ["projekt  ørnen"]),  # a phrase, any spacing
        ("Vi vidtar en Åtgärd direkt.", ["Åtgärd"]),  # Swedish, å/ä folded
        ("Meld fødsel til NAV.", ["fødsel"]),  # Norwegian
        ("We never leak data.", ["leak"]),  # English
    ],
)
def test_words_and_phrases_match_whole_words_in_any_case(text, expected):
    assert matched([WORDS], text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "forretningshemmeligheder er noget andet",  # a longer word (Danish plural)
        "Projekt Ørnenes plan",  # Danish genitive: not the whole word
        "åtgärdsprogram",  # Swedish compound
        "fødselsnummer",  # Norwegian compound
        "leaks",  # English plural
    ],
)
def test_a_word_inside_a_longer_word_does_not_match(text):
    assert matched([WORDS], text) == []


PATTERN = rule("pattern", pattern=r"\bsag\s*nr\.?\s*\d{4,}\b|ärende \d+|saksnummer \d+|case #\d+")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Se Sag nr. 123456 igen", ["Sag nr. 123456"]),
        ("Ditt ärende 4711 är klart", ["ärende 4711"]),
        ("Saksnummer 2024 er lukket", ["Saksnummer 2024"]),
        ("About case #99 we know", ["case #99"]),
    ],
)
def test_a_regular_expression_matches_case_insensitively(text, expected):
    assert matched([PATTERN], text) == expected


def test_unicode_word_boundaries_know_nordic_letters():
    assert matched([rule("pattern", pattern=r"\bøl\b")], "Vi skænker øl, ikke søl") == ["øl"]


def test_a_catastrophic_pattern_stops_at_the_time_limit_and_counts_as_matched():
    slow = rule("pattern", pattern=r"(a|aa)+$")
    started = time.monotonic()
    verdict = evaluate([slow], text="a" * 28 + "!", public=True, tags=set())
    assert time.monotonic() - started < PATTERN_TIME_LIMIT * 10
    [hit] = verdict.hits  # fail closed: a rule that cannot be checked is not passed
    assert "took too long" in hit.message
    assert verdict.blocked


def test_the_classic_a_plus_plus_pattern_finishes_without_a_match():
    started = time.monotonic()
    assert matched([rule("pattern", pattern=r"(a+)+$")], "aaaaaaaaaaaaaaaaaaaaaaaaaaaa!") == []
    assert time.monotonic() - started < 1


LINKS = rule("links", allowed_domains=("skat.dk", "skatteverket.se", "xn--blbr-roah.dk"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Læs mere på https://skat.dk/borger og www.skat.dk.", []),  # allowed, subdomain too
        ("Se https://phish-skat.dk/login", ["https://phish-skat.dk/login"]),  # not a subdomain
        ("Läs på skatteverket.se eller på evil.com.", ["evil.com"]),  # Swedish, no scheme
        ("Sjekk https://www.altinn.no/skjema", ["https://www.altinn.no/skjema"]),  # Norwegian
        ("See bit.ly/abc for details", ["bit.ly/abc"]),  # English, a shortener
        ("Bestil på https://blåbær.dk/kurv", []),  # IDN, allowed as punycode
        ("Bestil på xn--blbr-roah.dk", []),  # the same domain in punycode
        ("Se https://sub.evil.com.skat.dk.evil.com/x", ["https://sub.evil.com.skat.dk.evil.com/x"]),
        ("Vi ses kl. 10.30, f.eks. i morgen, m.fl.", []),  # abbreviations are not links
        ("Skriv til info@evil.com", []),  # an e-mail address is not a link
    ],
)
def test_links_outside_the_allow_list(text, expected):
    assert matched([LINKS], text) == expected


@pytest.mark.parametrize(
    "tag",
    ["presse", "pressefråga", "klage-nø", "complaint"],  # da, sv, no, en
)
def test_a_tag_rule_matches_its_tag_only(tag):
    rules = [rule("tag", action="approval", tag=tag)]
    assert matched(rules, "Hej", tags={tag, "andet"}) == [tag]
    assert matched(rules, "Hej", tags={"andet"}) == []


def test_a_reply_to_a_tagged_conversation():
    tagged = rule("tag", action="approval", tag="presse")
    verdict = evaluate([tagged], text="Hej", public=True, tags={"presse", "skat"})
    [hit] = verdict.hits
    assert hit.matches[0].text == "presse"
    assert "presse" in hit.message
    assert verdict.needs_approval
    assert matched([tagged], "Hej", tags={"andet"}) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dit CPR-nummer 010190-1234 er registreret.", ["010190-1234"]),  # Danish
        ("Ditt personnummer 19811218-9876 är fel.", ["19811218-9876"]),  # Swedish
        ("Fødselsnummeret 01010012356 er feil.", ["01010012356"]),  # Norwegian
        (
            "Write to jane@example.com or call +45 12 34 56 78",
            ["jane@example.com", "+45 12 34 56 78"],
        ),
    ],
)
def test_the_personal_data_guard_is_one_rule_among_others(text, expected):
    assert matched(default_rules(), text) == expected


def test_personal_data_is_a_concern_of_public_replies_only():
    assert matched(default_rules(), "CPR 010190-1234", public=False) == []


def test_each_hit_names_the_rule_and_what_it_matched_and_the_strongest_action_wins():
    rules = [
        RuleSpec(1, "Interne navne", "words", "warn", words=("ørnen",)),
        RuleSpec(2, "Presse", "tag", "approval", tag="presse"),
    ]
    verdict = evaluate(rules, text="Ørnen lander", public=True, tags={"presse"})
    assert [h.rule_name for h in verdict.hits] == ["Interne navne", "Presse"]
    assert verdict.hits[0].message == "“Interne navne” matched “Ørnen”."
    assert verdict.action == "approval"


def test_an_agent_who_needs_approval_gets_an_approval_hit_on_public_replies_only():
    public = evaluate([], text="Hej", public=True, tags=set(), author_needs_approval=True)
    private = evaluate([], text="Hej", public=False, tags=set(), author_needs_approval=True)
    assert public.needs_approval
    assert private.hits == ()
