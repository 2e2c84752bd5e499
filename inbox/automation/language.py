"""The language of a customer's text, among the languages rules may name.

Lingua (lingua-language-detector) restricted to Danish, Swedish, Norwegian Bokmål and English:
n-gram models of one to five characters, so it tells the Scandinavian languages apart on a
sentence where a word-list heuristic cannot (docs/using.md, "Automation rules"). The detector
is built once per process, on first use, with its models loaded lazily.
"""

from __future__ import annotations

from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

LANGUAGES: dict[str, Language] = {
    "da": Language.DANISH,
    "sv": Language.SWEDISH,
    "nb": Language.BOKMAL,
    "en": Language.ENGLISH,
}
_CODES = {language: code for code, language in LANGUAGES.items()}
TEXT_MAX = 2_000  # the beginning of a long message says its language


@cache
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*LANGUAGES.values()).build()


def language_of(text: str) -> str | None:
    """``da``, ``sv``, ``nb`` or ``en``; None when the text has no letters to go by."""
    if not any(ch.isalpha() for ch in text):
        return None
    found = _detector().detect_language_of(text[:TEXT_MAX])
    return _CODES.get(found) if found is not None else None
