"""The translation completeness check (issue #18): every message id the code uses is translated
in each of Svar's languages, nothing is fuzzy, and a translation keeps exactly the placeholders
of its source (a lost or misspelt %(name)s breaks the page at run time or shows raw text)."""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings

from web.i18n.po_file import Entry, read_catalogue

TRANSLATED = ("da", "sv", "nb")
# Not searched for message ids: nobody is shown the tests, benchmarks or the venv; and a "locale"
# directory makemessages finds would become where it writes (web/locale must stay untouched).
IGNORED = [".venv", "locale", "tests", "bench", "staticfiles", "build", "docs", "*.egg-info"]
_PRINTF = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([sdifrxXeEgGc%])")
_BRACES = re.compile(r"(?<!\{)\{(\w*)(?:[!:][^{}]*)?\}(?!\})")


def placeholders(text: str, flags: set[str]) -> Counter[str]:
    """The placeholders in ``text``, by name and kind, counted."""
    found: Counter[str] = Counter()
    if "python-format" in flags:
        found.update(f"%({n}){k}" if n else f"%{k}" for n, k in _PRINTF.findall(text) if k != "%")
    if "python-brace-format" in flags or _BRACES.search(text):
        found.update("{" + name + "}" for name in _BRACES.findall(text))
    return found


def message_ids_in_code(root: Path) -> list[Entry]:
    """makemessages over the code into a temporary directory (never over web/locale)."""
    with tempfile.TemporaryDirectory() as out:
        with override_settings(LOCALE_PATHS=[out]):
            call_command(
                "makemessages", locale=["en"], domain="django", ignore_patterns=IGNORED,
                keep_pot=True, no_location=True, verbosity=0,
            )  # fmt: skip
        return read_catalogue(Path(out) / "django.pot")


def catalogue_path(language: str) -> Path:
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"


def problems(source: list[Entry], catalogue: list[Entry], language: str) -> list[str]:
    """What is wrong with ``catalogue`` as the translation of ``source``: one line each."""
    found: list[str] = []
    by_key = {entry.key: entry for entry in catalogue}
    for wanted in source:
        label = f"{language}: {wanted.msgid!r}" + (f" ({wanted.context})" if wanted.context else "")
        entry = by_key.get(wanted.key)
        if entry is None or not entry.translations or not all(entry.translations):
            found.append(f"{label}: not translated")
            continue
        if "fuzzy" in entry.flags:
            found.append(f"{label}: fuzzy")
        flags = wanted.flags | entry.flags
        expected = placeholders(wanted.msgid, flags)
        for index, text in enumerate(entry.translations):
            if index and wanted.plural:
                expected = placeholders(wanted.plural, flags)
            got = placeholders(text, flags)
            if got != expected and not (index == 0 and wanted.plural and got <= expected):
                found.append(f"{label}: placeholders {sorted(got)} differ from {sorted(expected)}")
    return found


def check(languages: tuple[str, ...] = TRANSLATED) -> list[str]:
    """Every problem, in every language: an empty list when Svar is fully translated."""
    source = message_ids_in_code(Path(settings.BASE_DIR))
    found = []
    for language in languages:
        path = catalogue_path(language)
        if not path.exists():
            found.append(f"{language}: no catalogue at {path}")
            continue
        found += problems(source, read_catalogue(path), language)
    return found
