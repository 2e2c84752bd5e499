"""One reply against a team's rules: the verdict the reply service enforces and the composer
shows. Pure: the caller reads the rules, the conversation's tags and the agent's flag."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from django.utils.translation import gettext as _

from inbox.guidelines.links import links_outside
from inbox.guidelines.matching import (
    PatternTimedOut,
    match_pattern,
    match_personal_data,
    match_words,
)
from inbox.guidelines.rules import RuleSpec
from inbox.guidelines.verdict import APPROVAL, WARN, Hit, Match, Verdict

# Personal data is a concern of public replies: a private message may carry the customer's own
# address or number on purpose. An e-mail is private too, but it stays in a mailbox and is
# easily forwarded: there the same rules warn, and never block or hold (issue #15).
_PUBLIC_ONLY = {"personal_data"}


def _matches(rule: RuleSpec, text: str, tags: set[str]) -> list[Match]:
    if rule.kind == "personal_data":
        return match_personal_data(list(rule.data_kinds), text)
    if rule.kind == "words":
        return match_words(list(rule.words), text)
    if rule.kind == "pattern":
        return match_pattern(rule.pattern, text)
    if rule.kind == "links":
        return links_outside(text, rule.allowed_domains)
    if rule.kind == "tag" and rule.tag.lower() in tags:
        return [Match(rule.tag.lower(), 0, 0)]
    return []


def _hit(rule: RuleSpec, matches: list[Match], message: str) -> Hit:
    return Hit(rule.id, rule.name, rule.kind, rule.action, tuple(matches), message)


def _rule_hit(rule: RuleSpec, text: str, tags: set[str]) -> Hit | None:
    try:
        matches = _matches(rule, text, tags)
    except PatternTimedOut:
        # Fail closed: a pattern that cannot be checked in time counts as matched.
        message = _("“%(rule)s”: its pattern took too long to check, so it counts as matched.")
        return _hit(rule, [], message % {"rule": rule.name})
    if not matches:
        return None
    if rule.kind == "tag":
        message = _("“%(rule)s”: the conversation is tagged “%(tag)s”.")
        return _hit(rule, matches, message % {"rule": rule.name, "tag": matches[0].text})
    quoted = ", ".join(f"“{text}”" for text in dict.fromkeys(m.text for m in matches))
    message = _("“%(rule)s” matched %(matched)s.") % {"rule": rule.name, "matched": quoted}
    return _hit(rule, matches, message)


def evaluate(
    rules: Iterable[RuleSpec],
    *,
    text: str,
    public: bool,
    tags: set[str],
    author_needs_approval: bool = False,
    email: bool = False,
) -> Verdict:
    """Every rule that matches ``text`` (the agent's body, without the signature); ``email``:
    a private reply by e-mail, where the personal-data rules warn."""
    in_force = [
        rule if public or rule.kind not in _PUBLIC_ONLY else replace(rule, action=WARN)
        for rule in rules
        if public or email or rule.kind not in _PUBLIC_ONLY
    ]
    hits = [hit for rule in in_force if (hit := _rule_hit(rule, text, tags)) is not None]
    if author_needs_approval and public:
        message = _("Your public replies are approved by a colleague before they are posted.")
        hits.append(Hit(None, _("New staff"), "agent", APPROVAL, (), message))
    return Verdict(tuple(hits))
