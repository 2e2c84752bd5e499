"""The language of a customer's text, among the languages rules may name.

Lingua (lingua-language-detector) restricted to Danish, Swedish, Norwegian Bokmål and English:
n-gram models of one to five characters, so it tells the Scandinavian languages apart on a
sentence where a word-list heuristic cannot (docs/using.md, "Automation rules"). The detector
is built once per process, on first use, with its models loaded lazily.

Detection is the costly part of the automation rules in ingest (docs/performance.md, "Ingest
with automation rules"), so: ingest asks only for the texts a rule needs the language of, all of
a batch's texts in one call (:func:`languages_of`, Lingua's threads spread them over the cores),
each distinct text once, and the answers for recent texts are remembered per process (short
greetings and thanks repeat; the composer asks again for the same customer words each time a
conversation opens). Only the first ``TEXT_MAX`` characters are read: Lingua reads longer texts
with trigrams alone, as in its low-accuracy mode, which on the benchmark's 538 Danish texts over
120 characters called 3 Norwegian; their first 120 characters, read with all of Lingua's
models, were all told Danish, in less time. The low-accuracy mode is not used, for that reason.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

LANGUAGES: dict[str, Language] = {
    "da": Language.DANISH,
    "sv": Language.SWEDISH,
    "nb": Language.BOKMAL,
    "en": Language.ENGLISH,
}
_CODES = {language: code for code, language in LANGUAGES.items()}
TEXT_MAX = 120  # the beginning of a long message says its language (see above)
MEMO_SIZE = 4096  # texts whose language is remembered (a few hundred kB at most)
PARALLEL_FROM = 8  # fewer texts than this are detected one by one: threads cost more than they save

_memo: OrderedDict[str, str | None] = OrderedDict()
_memo_lock = threading.Lock()


@cache
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*LANGUAGES.values()).build()


def language_of(text: str) -> str | None:
    """``da``, ``sv``, ``nb`` or ``en``; None when the text has no letters to go by."""
    return languages_of([text])[0]


def languages_of(texts: Sequence[str]) -> list[str | None]:
    """The language of each text, as :func:`language_of` tells it, detected together: each
    distinct text once, those seen lately not again."""
    keys = [text[:TEXT_MAX] for text in texts]
    with _memo_lock:
        known = {key: _memo[key] for key in keys if key in _memo}
        for key in known:
            _memo.move_to_end(key)
    todo = list(dict.fromkeys(k for k in keys if k not in known and _has_letters(k)))
    found = dict.fromkeys((k for k in keys if k not in known), None)
    if len(todo) >= PARALLEL_FROM:
        detected = _detector().detect_languages_in_parallel_of(todo)
    else:
        detected = [_detector().detect_language_of(key) for key in todo]
    found.update(zip(todo, (_CODES.get(d) for d in detected), strict=True))
    with _memo_lock:
        _memo.update(found)
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    known.update(found)
    return [known[key] for key in keys]


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)
