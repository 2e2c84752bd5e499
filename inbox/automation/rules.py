"""A rule's conditions and actions as plain values: parsed and checked from the JSON stored
and sent over the API, and matched against a conversation's facts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import regex
from django.utils.translation import gettext_lazy as _

from connectors.base import Platform
from inbox.automation.language import LANGUAGES
from inbox.composer.visible import has_visible_text, without_invisible_separators
from inbox.exceptions import InvalidInput
from inbox.models import Priority
from inbox.stored_text import Text

WORDS_MAX = 50
WORD_MAX_LENGTH = 100
SNOOZE_MINUTES_MAX = 365 * 24 * 60
PLATFORMS = tuple(p.value for p in Platform)  # every channel a rule may be limited to
KINDS = ("public", "private")


@dataclass(frozen=True, slots=True)
class Conditions:
    """Every condition given must hold; one not given holds always."""

    account_ids: frozenset[int] = frozenset()
    platforms: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    words: tuple[str, ...] = ()  # any of them, as a whole word, any case
    languages: frozenset[str] = frozenset()
    contact_ids: frozenset[int] = frozenset()
    pattern: Any = field(default=None, compare=False)  # the words as one compiled pattern


@dataclass(frozen=True, slots=True)
class Actions:
    team_id: int | None = None
    agent_id: int | None = None
    tags: tuple[str, ...] = ()
    priority: str | None = None
    snooze_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    """What conditions look at but the language, which is detected only for the texts a rule
    needs it of (:func:`language_holds`)."""

    account_id: int
    platform: str
    kind: str
    contact_id: int
    text: str


def _ids(value: Any, name: str) -> frozenset[int]:
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value
    ):
        raise InvalidInput(Text(_("%(name)s must be a list of ids."), name=name), field=name)
    return frozenset(value)


def _choices(value: Any, name: str, allowed: Any) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v in allowed for v in value):
        raise InvalidInput(
            Text(
                _("%(name)s must be a list of %(choices)s."), name=name, choices=", ".join(allowed)
            ),
            field=name,
        )
    return frozenset(value)


def _words(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > WORDS_MAX:
        raise InvalidInput(
            Text(_("words must be a list of at most %(words_max)s."), words_max=WORDS_MAX),
            field="words",
        )
    words = tuple(" ".join(str(w).split()).lower() for w in value)
    if not all(0 < len(w) <= WORD_MAX_LENGTH and "\x00" not in w for w in words):
        raise InvalidInput(
            Text(
                _("Each word needs 1 to %(word_max_length)s visible characters."),
                word_max_length=WORD_MAX_LENGTH,
            ),
            field="words",
        )
    return words


def conditions_parse(raw: Mapping[str, Any]) -> Conditions:
    if not isinstance(raw, Mapping):
        raise InvalidInput(_("conditions must be an object."), field="conditions")
    known = {"account_ids", "platforms", "kinds", "words", "languages", "contact_ids"}
    if unknown := sorted(set(raw) - known):
        raise InvalidInput(
            Text(_("Unknown condition %(unknown)s."), unknown=repr(unknown[0])), field="conditions"
        )
    words = _words(raw.get("words", []))
    pattern = None
    if words:
        alternatives = "|".join(regex.escape(w) for w in words)
        pattern = regex.compile(rf"\b(?:{alternatives})\b", regex.IGNORECASE)
    return Conditions(
        account_ids=_ids(raw.get("account_ids", []), "account_ids"),
        platforms=_choices(raw.get("platforms", []), "platforms", PLATFORMS),
        kinds=_choices(raw.get("kinds", []), "kinds", KINDS),
        words=words,
        languages=_choices(raw.get("languages", []), "languages", tuple(LANGUAGES)),
        contact_ids=_ids(raw.get("contact_ids", []), "contact_ids"),
        pattern=pattern,
    )


def _optional_id(raw: Mapping[str, Any], name: str) -> int | None:
    value = raw.get(name)
    if value is None:
        return None
    return next(iter(_ids([value], name)))


def actions_parse(raw: Mapping[str, Any]) -> Actions:
    if not isinstance(raw, Mapping):
        raise InvalidInput(_("actions must be an object."), field="actions")
    known = {"team_id", "agent_id", "tags", "priority", "snooze_minutes"}
    if unknown := sorted(set(raw) - known):
        raise InvalidInput(
            Text(_("Unknown action %(unknown)s."), unknown=repr(unknown[0])), field="actions"
        )
    priority = raw.get("priority")
    if priority is not None and priority not in Priority.values:
        raise InvalidInput(
            Text(_("priority must be one of %(choices)s."), choices=", ".join(Priority.values)),
            field="priority",
        )
    snooze = raw.get("snooze_minutes")
    if snooze is not None and (
        not isinstance(snooze, int) or isinstance(snooze, bool)
        or not 1 <= snooze <= SNOOZE_MINUTES_MAX
    ):  # fmt: skip
        raise InvalidInput(_("snooze_minutes must be 1 minute to a year."), field="snooze_minutes")
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or len(tags) > 20 or not all(isinstance(t, str) for t in tags):
        raise InvalidInput(_("tags must be a list of at most 20 names."), field="tags")
    tags = sorted({" ".join(without_invisible_separators(t).split()).lower() for t in tags})
    if not all(has_visible_text(t) and len(t) <= 50 for t in tags):
        raise InvalidInput(_("Each tag needs 1 to 50 visible characters."), field="tags")
    actions = Actions(
        team_id=_optional_id(raw, "team_id"),
        agent_id=_optional_id(raw, "agent_id"),
        tags=tuple(tags),
        priority=priority,
        snooze_minutes=snooze,
    )
    if actions == Actions():
        raise InvalidInput(_("A rule needs at least one action."), field="actions")
    return actions


def other_conditions_hold(c: Conditions, facts: Facts) -> bool:
    """Every condition but the language holds. Ingest checks these for all the rules first and
    detects the language only of the texts for which a rule naming one still holds, all in one
    call (:func:`language_holds` then)."""
    if c.account_ids and facts.account_id not in c.account_ids:
        return False
    if c.platforms and facts.platform not in c.platforms:
        return False
    if c.kinds and facts.kind not in c.kinds:
        return False
    if c.contact_ids and facts.contact_id not in c.contact_ids:
        return False
    return c.pattern is None or bool(c.pattern.search(facts.text))


def language_holds(c: Conditions, language: str | None) -> bool:
    """The rule names no language, or the text's (None: not told, or not detected)."""
    return not c.languages or language in c.languages
