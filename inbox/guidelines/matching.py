"""Each rule kind's matching, pure: text in, the stretches that matched out."""

from __future__ import annotations

import re
from functools import lru_cache

import regex

from inbox.composer.personal_data import find_personal_data
from inbox.guidelines.verdict import Match

# A manager's pattern runs on the `regex` module with a time limit: it keeps Python's Unicode
# semantics (\b and \w know æøå, case-insensitive matching folds Ä and ä), which a linear-time
# engine such as RE2 does not (its \b is ASCII), and the limit stops catastrophic backtracking.
PATTERN_TIME_LIMIT = 0.05  # seconds per rule per reply
PATTERN_FLAGS = regex.IGNORECASE


class PatternTimedOut(Exception):
    """The pattern did not finish within PATTERN_TIME_LIMIT on this text."""


@lru_cache(maxsize=256)
def compiled_pattern(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern, PATTERN_FLAGS)


def pattern_error(pattern: str) -> str | None:
    """Why the pattern cannot be used, or None: it is compiled when a rule is saved."""
    try:
        compiled_pattern(pattern)
    except regex.error as error:
        return f"{error.msg} (position {error.pos})" if error.pos is not None else error.msg
    except (OverflowError, RecursionError, ValueError) as error:
        return str(error)
    return None


def match_pattern(pattern: str, text: str) -> list[Match]:
    """Every non-empty match; raises PatternTimedOut when the time limit runs out."""
    try:
        return [
            Match(m.group(0), m.start(), m.end())
            for m in compiled_pattern(pattern).finditer(text, timeout=PATTERN_TIME_LIMIT)
            if m.end() > m.start()
        ]
    except TimeoutError:
        raise PatternTimedOut(pattern) from None


@lru_cache(maxsize=512)
def _phrase(phrase: str) -> re.Pattern[str]:
    """A whole word or phrase, any case, any run of spaces between its words (Unicode \\w:
    "skat" does not match inside "skattefar", and "Ærø" matches "ÆRØ")."""
    words = [re.escape(word) for word in phrase.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def match_words(words: list[str], text: str) -> list[Match]:
    found = [
        Match(m.group(0), m.start(), m.end())
        for word in words
        if word.split()
        for m in _phrase(word).finditer(text)
    ]
    return sorted(found, key=lambda f: f.start)


def match_personal_data(kinds: list[str], text: str) -> list[Match]:
    wanted = set(kinds)
    return [Match(f.text, f.start, f.end) for f in find_personal_data(text) if f.kind in wanted]
