"""What a person can see in a text: the check behind "a note, tag or reply needs text".

``str.strip()`` leaves zero-width spaces, joiners, direction controls, the byte-order mark and
other format characters, so a body of "\\u200b" passed as text and reached the customer as an
empty reply. Text counts as written when it holds one character that is drawn: not whitespace,
not a control or format character (Unicode Cc, Cf), not a combining mark with nothing to sit
on (Mn, Me), not one of the letters and symbols that are drawn as blank (Hangul fillers, the
braille blank). Unassigned code points count as visible: newer emoji are unassigned in the
Unicode tables of an older Python.

Direction controls (embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069) reorder
what follows them: a reply "ring \\u202e1234 5678" shows the customer a number that is not the
one the agent typed ("Trojan Source"). Replies drop them (``without_direction_controls``); the
marks U+200E, U+200F and U+061C stay, as right-to-left text needs them and they reorder nothing
but the neutral characters next to them.
"""

from __future__ import annotations

import unicodedata

DIRECTION_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)]
)
# Separate nothing visibly; in a tag they only make two names that look the same.
ZERO_WIDTH_SPACES = frozenset("\u200b\u2060\ufeff\u180e")
_NOT_IN_NAMES = DIRECTION_CONTROLS | ZERO_WIDTH_SPACES
_UNDRAWN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"})
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def is_visible(char: str) -> bool:
    return not (
        char.isspace() or char in _BLANK_GLYPHS or unicodedata.category(char) in _UNDRAWN_CATEGORIES
    )


def has_visible_text(text: str) -> bool:
    return any(is_visible(char) for char in text)


def without_direction_controls(text: str) -> str:
    if not DIRECTION_CONTROLS.intersection(text):
        return text
    return "".join(char for char in text if char not in DIRECTION_CONTROLS)


def without_invisible_separators(text: str) -> str:
    """For names (tags): no direction controls, no zero-width spaces. Joiners stay: emoji
    sequences and some scripts need them."""
    return "".join(char for char in text if char not in _NOT_IN_NAMES)
