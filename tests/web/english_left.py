"""Is any English left on the screen of a page that should be in Swedish or Norwegian?

"English" is judged by Svar's own catalogue, not by eye: a word is English when Svar's English
message ids use it and no translation in the language does (so "Team", "Median" or "Status",
which Swedish shares, are not; "reply", "waiting" or "Live" are). A visible text that is exactly
an English message id whose translation differs (and which is no translation itself) is English
too."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django.conf import settings
from playwright.sync_api import Page

from web.i18n.po_file import read_catalogue

_MARKUP = re.compile(r"<[^>]+>|%\(\w+\)[sd]|\{\w+\}|&\w+;")
_WORD = re.compile(r"[^\W\d_]{2,}")

# Every visible text node and the texts people read in attributes (placeholders, labels).
_VISIBLE_TEXT = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    if (!node.textContent.trim() || !element || element.closest("script,style,template")) continue;
    if (!element.checkVisibility()) continue;
    texts.push(node.textContent.trim());
  }
  for (const element of document.querySelectorAll("[placeholder],[aria-label],[title]")) {
    if (!element.checkVisibility()) continue;
    for (const name of ["placeholder", "aria-label", "title"]) {
      const value = element.getAttribute(name);
      if (value && value.trim()) texts.push(value.trim());
    }
  }
  return texts;
}"""


def english_words(text: str) -> set[str]:
    """The words of ``text``, lower case, without placeholders and markup."""
    return {word.lower() for word in _WORD.findall(_MARKUP.sub(" ", text))}


_words = english_words


@cache
def english_vocabulary(language: str) -> tuple[frozenset[str], frozenset[str]]:
    """(English-only words, English message ids whose translation differs) for ``language``."""
    entries = read_catalogue(
        Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"
    )
    english: set[str] = set()
    translated: set[str] = set()
    whole: set[str] = set()
    sentences: set[str] = set()
    for entry in entries:
        english |= _words(entry.msgid) | _words(entry.plural)
        for text in entry.translations:
            translated |= _words(text)
            sentences.add(text)
        if entry.translations and entry.translations[0] != entry.msgid:
            whole.add(entry.msgid)
    # Swedish "Filter" (for "Filters") is no English "Filter" (for "Filter", "Filtrera").
    return frozenset(english - translated), frozenset(whole - sentences)


def english_on_screen(page: Page, language: str, *, allowed: set[str] = frozenset()) -> list[str]:
    """The visible texts that are (or contain) English; ``allowed`` are words of the test's own
    data (customer names, what the customer wrote)."""
    words, whole = english_vocabulary(language)
    found = []
    for text in page.evaluate(_VISIBLE_TEXT):
        english = sorted((_words(text) & words) - {w.lower() for w in allowed})
        if english or text in whole:
            found.append(f"{text!r}: {', '.join(english) or 'an English message'}")
    return found
