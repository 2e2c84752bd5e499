"""A small reader of gettext catalogues (.po/.pot): enough to check them, not to edit them."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    context: str = ""
    plural: str = ""
    # msgstr, or msgstr[0], msgstr[1]… for plural entries
    translations: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.context, self.msgid)


_FIELDS = ("msgctxt", "msgid_plural", "msgid", "msgstr")


def read_catalogue(path: Path) -> list[Entry]:
    """Every entry but the header, in file order."""
    entries: list[Entry] = []
    entry, current = Entry(), None

    def finish() -> None:
        nonlocal entry, current
        if entry.msgid:
            entries.append(entry)
        entry, current = Entry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            if entry.translations:
                finish()
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif not line or line.startswith("#"):
            if not line:
                finish()
        elif line.startswith('"'):
            _append(entry, current, ast.literal_eval(line))
        else:
            keyword, _, rest = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and entry.translations:
                finish()
            current = keyword
            if keyword.startswith("msgstr"):
                entry.translations.append("")
            _append(entry, current, ast.literal_eval(rest))
    finish()
    return [each for each in entries if not each.obsolete]


def _append(entry: Entry, keyword: str | None, text: str) -> None:
    if keyword == "msgctxt":
        entry.context += text
    elif keyword == "msgid":
        entry.msgid += text
    elif keyword == "msgid_plural":
        entry.plural += text
    elif keyword is not None and keyword.startswith("msgstr"):
        entry.translations[-1] += text
